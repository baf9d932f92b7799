import ArgumentParser
import Orchestrator

/// `gitopsd rollout resume deployment/NAME`.
struct RolloutResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused deployment.")

    @OptionGroup var options: DeploymentTargetOptions

    func run() async throws {
        let store = try options.data.openStore()
        do {
            try await Rollout.resume(store, deployment: options.key)
        } catch {
            throw options.failure(error)
        }
        printResult("\(options.displayName) resumed")
    }
}
