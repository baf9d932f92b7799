import ArgumentParser
import Orchestrator

/// `gitopsd rollout pause deployment/NAME`: template changes wait until resumed; scaling still applies.
struct RolloutPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Mark a deployment as paused: template changes do not roll out until resumed.")

    @OptionGroup var options: DeploymentTargetOptions

    func run() async throws {
        let store = try options.data.openStore()
        do {
            try await Rollout.pause(store, deployment: options.key)
        } catch {
            throw options.failure(error)
        }
        printResult("\(options.displayName) paused")
    }
}
