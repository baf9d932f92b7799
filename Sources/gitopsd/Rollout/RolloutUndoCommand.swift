import ArgumentParser
import Orchestrator

/// `gitopsd rollout undo deployment/NAME [--to-revision N]`: roll back to an earlier revision, as kubectl does
/// on the client side.
struct RolloutUndoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Roll back to a previous rollout.",
        discussion: """
            Copies the pod template (and the annotations, change cause included) of the chosen revision's \
            ReplicaSet back onto the deployment; the controller then re-uses that ReplicaSet under a new \
            revision number. With a GitOps source, revert the commit instead, or the next sync undoes this.
            """)

    @OptionGroup var options: DeploymentTargetOptions

    @Option(help: "The revision to roll back to; 0 (the default) means the previous one.")
    var toRevision: Int = 0

    func run() async throws {
        let store = try options.data.openStore()
        do {
            let result = try await Rollout.undo(store, deployment: options.key, toRevision: toRevision)
            printResult("\(options.displayName) \(result)")
        } catch {
            throw options.failure(error)
        }
    }
}
