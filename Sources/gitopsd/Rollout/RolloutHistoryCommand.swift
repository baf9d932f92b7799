import API
import ArgumentParser
import Orchestrator

/// `gitopsd rollout history deployment/NAME [--revision N]`: the revisions and their change causes.
struct RolloutHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "View the rollout history of a deployment.",
        discussion: """
            Lists each revision with the kubernetes.io/change-cause of its ReplicaSet; with --revision, prints \
            that revision's pod template as YAML.
            """)

    @OptionGroup var options: DeploymentTargetOptions

    @Option(help: "Show the pod template of this revision.")
    var revision: Int = 0

    func run() async throws {
        let store = try options.data.openStore()
        let revisions: [Rollout.Revision]
        do {
            revisions = try await Rollout.history(store, deployment: options.key)
        } catch {
            throw options.failure(error)
        }
        if revision > 0 {
            guard let found = revisions.first(where: { $0.number == revision }) else {
                throw CLIError("unable to find the specified revision")
            }
            printResult("\(options.displayName) with revision #\(revision)")
            printResult(found.template.yamlString, terminator: "")
            return
        }
        printResult("\(options.displayName) ")
        if revisions.isEmpty {
            printResult("No rollout history found.")
        } else {
            printResult(Rollout.historyTable(revisions))
            printResult("")
        }
    }
}
