import API
import ArgumentParser
import Foundation
import Logging
import Orchestrator
import Reconciler

/// `gitopsd reconcile --once`: one sync for CI — validate, diff, apply and (with --wait) wait until healthy,
/// reporting the outcome through the exit code.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Reconcile one commit and exit (for CI).",
        discussion: """
            Exit codes: 0 in sync or applied (and healthy, with --wait); 1 on any error, or unhealthy at the \
            timeout; 2 when --dry-run found changes. Refuses to run beside a daemon on the same data directory.
            """)

    @Flag(help: "Reconcile once and exit (the only mode; `gitopsd serve` runs continuously).")
    var once = false

    @OptionGroup var options: ReconcileOptions

    @Flag(name: .customLong("dry-run"), help: "Print the plan and change nothing.")
    var dryRun = false

    @Flag(help: "Run the workloads until every object is healthy (then stop them), or fail at the timeout.")
    var wait = false

    @Option(help: "How long --wait waits.")
    var timeout: DurationArgument = DurationArgument("5m")

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var network: NetworkOptions

    func validate() throws {
        if !once { throw ValidationError("pass --once (use `gitopsd serve` to reconcile continuously)") }
        if dryRun && wait { throw ValidationError("--dry-run and --wait exclude each other") }
    }

    func run() async throws {
        let dataDirectory = options.source.dataDir
        let lock = try DaemonLock(dataDirectory: dataDirectory)
        defer { withExtendedLifetime(lock) {} }
        let revision = try await options.revision()
        let store = try DataDirectoryOptions.openStore(dataDirectory)
        defer { store.close() }
        let reconciler = Reconciler(client: InProcessClusterClient(store: store))
        let syncOptions = SyncOptions(prune: options.prune, dryRun: dryRun, allowEmpty: options.allowEmpty)

        let (record, plan) = await reconciler.sync(revision, options: syncOptions)
        if !dryRun { try SyncHistory(dataDirectory: dataDirectory).append(record) }
        var report = Report(record: record, plan: plan, dryRun: dryRun)
        if format == .text { report.printText() }
        guard record.result != .failed else {
            if format == .json { report.printJSON() }
            throw ExitCode(1)
        }
        if dryRun {
            if format == .json { report.printJSON() }
            throw ExitCode(record.result == .inSync ? 0 : 2)
        }
        if wait, let plan {
            let healthy = await waitUntilHealthy(plan, store: store, dataDirectory: dataDirectory, report: &report)
            if format == .json { report.printJSON() }
            if !healthy { throw ExitCode(1) }
        } else if format == .json {
            report.printJSON()
        }
    }

    /// Runs the embedded orchestrator until every object of the plan is healthy or the timeout passes, printing
    /// progress as it changes; then stops the workloads it started.
    private func waitUntilHealthy(
        _ plan: SyncPlan, store: SQLiteObjectStore, dataDirectory: String, report: inout Report
    ) async -> Bool {
        let logger = Logger.standardError(level: .warning)
        let orchestrator: EmbeddedOrchestrator
        do {
            orchestrator = try EmbeddedOrchestrator(
                store: store, configuration: network.orchestratorConfiguration(dataDirectory: dataDirectory),
                logger: logger)
        } catch {
            report.unhealthy = ["cannot start the orchestrator: \(error)"]
            printError("error: cannot start the orchestrator: \(error)")
            return false
        }
        let running = Task { await orchestrator.run() }
        let client = InProcessClusterClient(store: store)
        let deadline = ContinuousClock.now.advanced(by: timeout.duration)
        var last = ""
        var unhealthy: [(ObjectKey, Health)] = []
        while true {
            unhealthy = []
            for key in plan.desired.keys.sorted() {
                let health = (try? await client.health(of: key)) ?? Health(.missing)
                if health.status != .healthy { unhealthy.append((key, health)) }
            }
            let line = unhealthy.isEmpty
                ? "all \(plan.desired.count) objects healthy"
                : "waiting for \(unhealthy.count) of \(plan.desired.count) objects: "
                    + unhealthy.prefix(3).map { "\($0.0) \($0.1.status.rawValue) (\($0.1.message ?? ""))" }.joined(separator: "; ")
            if line != last, format == .text { printError(line) }
            last = line
            if unhealthy.isEmpty || ContinuousClock.now >= deadline { break }
            if unhealthy.contains(where: { $0.1.status == .degraded }) { break }
            try? await Task.sleep(for: .milliseconds(500))
        }
        await orchestrator.shutdown(keepWorkloads: false)
        running.cancel()
        await running.value
        report.unhealthy = unhealthy.map { "\($0.0): \($0.1.status.rawValue): \($0.1.message ?? "")" }
        if !unhealthy.isEmpty, format == .text {
            printError("error: not healthy after \(timeout):")
            for entry in report.unhealthy { printError("  \(entry)") }
        }
        return unhealthy.isEmpty
    }

    /// What one reconcile did, printed as text or JSON.
    struct Report {
        var record: SyncRecord
        var plan: SyncPlan?
        var dryRun: Bool
        var unhealthy: [String] = []

        func printText() {
            for warning in plan?.warnings ?? [] { printError("warning: \(warning)") }
            if record.result == .failed {
                for error in record.errors { printError("error: \(error)") }
                return
            }
            let commit = "\(record.commit.prefix(7)) \(record.subject)"
            guard let plan, !plan.isInSync else {
                printResult("commit \(commit): in sync, nothing to do")
                return
            }
            for change in plan.plan.changes {
                let sign = change.action == .create ? "+" : change.action == .delete ? "-" : "~"
                printResult("\(sign) \(change.action.rawValue) \(change.key)")
            }
            let counts = "\(record.created) to create, \(record.updated) to update, \(record.deleted) to delete"
            printResult(dryRun ? "commit \(commit): \(counts) (dry run: nothing applied)" : "commit \(commit): applied (\(counts.replacingOccurrences(of: "to ", with: "")))")
        }

        func printJSON() {
            var value: Value = [
                "commit": .string(record.commit), "subject": .string(record.subject),
                "result": .string(dryRun && record.result == .applied ? "OutOfSync" : record.result.rawValue),
                "created": .int(Int64(record.created)), "updated": .int(Int64(record.updated)),
                "deleted": .int(Int64(record.deleted)), "dryRun": .bool(dryRun),
                "errors": .array(record.errors.map { .string($0) }),
                "changes": .array((plan?.plan.changes ?? []).map { change in
                    [
                        "action": .string(change.action.rawValue), "kind": .string(change.key.kind),
                        "namespace": .string(change.key.namespace), "name": .string(change.key.name),
                    ]
                }),
            ]
            if !unhealthy.isEmpty { value["unhealthy"] = .array(unhealthy.map { .string($0) }) }
            printResult(value.jsonString)
        }
    }
}
