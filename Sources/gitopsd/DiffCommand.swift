import ArgumentParser
import Foundation
import Orchestrator
import Reconciler

/// `gitopsd diff`: what reconciling a commit would change, as a unified diff per object (Secret values masked).
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what a reconcile of a commit would change.",
        discussion: "Exit codes: 0 no changes, 2 changes, 1 error.")

    @OptionGroup var options: ReconcileOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        let revision = try await options.revision()
        let store = try DataDirectoryOptions.openStore(options.source.dataDir)
        defer { store.close() }
        let reconciler = Reconciler(client: InProcessClusterClient(store: store))
        let plan: SyncPlan
        do {
            plan = try await reconciler.plan(
                revision, options: SyncOptions(prune: options.prune, dryRun: true, allowEmpty: options.allowEmpty))
        } catch {
            throw CLIError(error.description)
        }
        if format == .json {
            let report = DiffReport(
                commit: revision.commit,
                changes: plan.plan.changes.map { change in
                    DiffReport.Change(
                        action: change.action.rawValue, kind: change.key.kind, namespace: change.key.namespace,
                        name: change.key.name,
                        diff: ObjectComparison.diff(live: change.live, desired: change.desired, label: change.key.description))
                })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            printResult(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            // Swift.print: the colours are ours, and the diffed YAML already quotes and escapes control
            // characters in every value.
            Swift.print(plan.diff(color: isatty(STDOUT_FILENO) == 1), terminator: "")
        }
        if !plan.isInSync { throw ExitCode(2) }
    }
}

/// `gitopsd diff -o json`.
struct DiffReport: Encodable {
    struct Change: Encodable {
        var action: String
        var kind: String
        var namespace: String
        var name: String
        /// Unified diff text, Secret values masked.
        var diff: String
    }

    var commit: String
    var changes: [Change]
}
