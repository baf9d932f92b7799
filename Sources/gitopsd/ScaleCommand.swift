import ArgumentParser
import Orchestrator

/// `gitopsd scale deployment/NAME --replicas N`.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Set a new size for a deployment.",
        discussion: """
            Writes spec.replicas in the store in --data-dir; a GitOps source that sets replicas will set it back \
            on its next sync.
            """)

    @OptionGroup var options: DeploymentTargetOptions

    @Option(help: "The new number of replicas (0 or more).")
    var replicas: Int

    func validate() throws {
        if replicas < 0 { throw ValidationError("--replicas must be 0 or more") }
    }

    func run() async throws {
        let store = try options.data.openStore()
        do {
            try await Rollout.scale(store, deployment: options.key, replicas: replicas)
        } catch {
            throw options.failure(error)
        }
        printResult("\(options.displayName) scaled")
    }
}
