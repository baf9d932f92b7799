import ArgumentParser
import Orchestrator

/// `gitopsd rollout restart deployment/NAME`: a new rollout of the same template (new pods).
struct RolloutRestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Restart a deployment: roll out new pods of the same template.",
        discussion: "Sets the kubectl.kubernetes.io/restartedAt annotation on the pod template.")

    @OptionGroup var options: DeploymentTargetOptions

    func run() async throws {
        let store = try options.data.openStore()
        do {
            try await Rollout.restart(store, deployment: options.key)
        } catch {
            throw options.failure(error)
        }
        printResult("\(options.displayName) restarted")
    }
}
