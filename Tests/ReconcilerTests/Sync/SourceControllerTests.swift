import API
import Foundation
import GitSource
import Logging
import Orchestrator
import TestSupport
import Testing

@testable import Reconciler

/// The per-source GitOps loop against a real git repository and a real store (no workloads run: the
/// objects are what is checked).
@Suite struct SourceControllerTests {
    static let configMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: default}
        data: {mode: one}
        """

    let repo: TemporaryGitRepository
    let data: TemporaryDirectory
    let store: SQLiteObjectStore

    init() throws {
        repo = try TemporaryGitRepository()
        data = try TemporaryDirectory()
        store = try SQLiteObjectStore(dataDirectory: data.path)
        try repo.write("deploy/settings.yaml", Self.configMap)
        _ = try repo.commit("first")
    }

    func controller(
        interval: Duration = .milliseconds(200), selfHeal: Bool = true,
        maximumManifestSize: Int = GitSource.Configuration.defaultMaximumManifestSize, log: LogLines? = nil
    ) throws -> SourceController {
        var logger = log.map { log in Logger(label: "test") { _ in CapturingLogHandler(lines: log) } }
            ?? Logger(label: "test")
        logger.logLevel = log == nil ? .critical : .info
        let source = try GitSource(
            GitSource.Configuration(
                repository: repo.path, path: "deploy", dataDirectory: data.path,
                maximumManifestSize: maximumManifestSize),
            logger: logger)
        return SourceController(
            source: source, reconciler: Reconciler(client: InProcessClusterClient(store: store)),
            history: SyncHistory(dataDirectory: data.path),
            configuration: .init(name: "app", interval: interval, selfHeal: selfHeal), logger: logger)
    }

    func mode() async -> String? {
        try? await store.get(ObjectKey(kind: "ConfigMap", namespace: "default", name: "settings"))["data"]?["mode"]?.stringValue
    }

    func records() throws -> [SyncRecord] {
        try SyncHistory(dataDirectory: data.path).records(source: "app")
    }

    @Test func appliesCommitsHealsDriftAndRecordsEachCommitOnce() async throws {
        let loop = try controller()
        let running = Task { await loop.run() }
        defer { running.cancel() }
        #expect(await eventually { await mode() == "one" })

        try repo.write("deploy/settings.yaml", Self.configMap.replacingOccurrences(of: "mode: one", with: "mode: two"))
        let second = try repo.commit("second")
        #expect(await eventually { await mode() == "two" })
        #expect(await eventually { await loop.status.lastAppliedCommit == second })

        // Drift: changed by hand, put back on the next pass.
        var live = try await store.get(ObjectKey(kind: "ConfigMap", namespace: "default", name: "settings"))
        live["data"] = ["mode": "by-hand"]
        _ = try await store.update(live)
        #expect(await eventually { await mode() == "two" })

        // Several passes later, each commit is in the history once (the heal is recorded as an Applied pass).
        try await Task.sleep(for: .milliseconds(600))
        let commits = try records().map(\.commit)
        #expect(commits.filter { $0 == second }.count == 2)
        #expect(try records().last?.subject == "first")
        #expect(await loop.status.sync == .synced)
        #expect(await loop.status.health.status == .healthy)
    }

    @Test func withoutSelfHealDriftIsReportedNotUndone() async throws {
        let loop = try controller(selfHeal: false)
        let running = Task { await loop.run() }
        defer { running.cancel() }
        #expect(await eventually { await mode() == "one" })
        var live = try await store.get(ObjectKey(kind: "ConfigMap", namespace: "default", name: "settings"))
        live["data"] = ["mode": "by-hand"]
        _ = try await store.update(live)
        #expect(await eventually { await loop.status.sync == .outOfSync })
        #expect(await mode() == "by-hand")
        #expect(await loop.status.objects.first?.sync == .outOfSync)
    }

    @Test func anInvalidCommitFailsOnceKeepsTheLastStateAndAFixRecovers() async throws {
        let loop = try controller()
        let running = Task { await loop.run() }
        defer { running.cancel() }
        #expect(await eventually { await mode() == "one" })
        try repo.write("deploy/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: [two]}\n")
        let broken = try repo.commit("broken")
        #expect(await eventually { await loop.status.sync == .failed })
        try await Task.sleep(for: .milliseconds(600))  // several more passes over the same bad commit
        let failures = try records().filter { $0.commit == broken }
        #expect(failures.count == 1)
        #expect(failures.first?.result == .failed)
        #expect(failures.first?.errors.contains { $0.contains("deploy/settings.yaml:4:") } == true)
        #expect(await loop.status.lastError?.contains("deploy/settings.yaml:4:") == true)
        #expect(await mode() == "one")

        try repo.write("deploy/settings.yaml", Self.configMap.replacingOccurrences(of: "mode: one", with: "mode: three"))
        _ = try repo.commit("fixed")
        #expect(await eventually { await mode() == "three" })
        #expect(await eventually { let status = await loop.status; return status.sync == .synced && status.lastError == nil })
    }

    /// Commits the source refuses while reading them from git, before any manifest is parsed.
    enum RefusedShape: String, CaseIterable, Sendable {
        case fileOverTheSizeLimit, symlinkLeavingThePath, absoluteSymlink, symlinkLoop, submodule, treeEntryNamedDotDot

        /// Adds the shape to the working tree (or, for a tree git refuses to build, commits it byte by byte,
        /// as `refused`); returns what the failure must name.
        func make(in repo: TemporaryGitRepository, library: TemporaryGitRepository) throws -> String {
            switch self {
            case .treeEntryNamedDotDot:
                let settings = try repo.writeBlob(
                    SourceControllerTests.configMap.replacingOccurrences(of: "mode: one", with: "mode: two"))
                let parent = try repo.writeTree([RawTreeEntry("100644", "x.yaml", settings)])
                let deploy = try repo.writeTree([
                    RawTreeEntry("40000", "..", parent), RawTreeEntry("100644", "settings.yaml", settings),
                ])
                try repo.commitTree(repo.writeTree([RawTreeEntry("40000", "deploy", deploy)]), message: "refused")
                #expect(try repo.fsckReport().contains("hasDotdot"))
                return "'..'"
            case .fileOverTheSizeLimit:
                try repo.write("deploy/big.yaml", "# " + String(repeating: "x", count: 5000) + "\n")
                return "deploy/big.yaml"
            case .symlinkLeavingThePath:
                try repo.write("secrets/token.yaml", "token: hunter2\n")
                try repo.symlink("deploy/evil.yaml", to: "../secrets/token.yaml")
                return "deploy/evil.yaml"
            case .absoluteSymlink:
                try repo.symlink("deploy/absolute.yaml", to: "/etc/passwd")
                return "deploy/absolute.yaml"
            case .symlinkLoop:
                try repo.symlink("deploy/loop-a.yaml", to: "loop-b.yaml")
                try repo.symlink("deploy/loop-b.yaml", to: "loop-a.yaml")
                return "deploy/loop-a.yaml"
            case .submodule:
                try library.commitFile("lib.yaml", "kind: Library\n")
                try repo.git("submodule", "add", "-q", library.path, "deploy/vendor")
                return "deploy/vendor"
            }
        }
    }

    @Test(arguments: RefusedShape.allCases)
    func aCommitTheSourceRefusesIsRecordedAndLoggedOnceAndAFixRecovers(shape: RefusedShape) async throws {
        let log = LogLines()
        let library = try TemporaryGitRepository()
        let loop = try controller(interval: .milliseconds(100), maximumManifestSize: 4096, log: log)
        let running = Task { await loop.run() }
        defer { running.cancel() }
        #expect(await eventually { await mode() == "one" })
        let good = try repo.head()

        let path = try shape.make(in: repo, library: library)
        try repo.write("deploy/settings.yaml", Self.configMap.replacingOccurrences(of: "mode: one", with: "mode: two"))
        let refused = shape == .treeEntryNamedDotDot ? try repo.head() : try repo.commit("refused")
        #expect(await eventually { await loop.status.sync == .failed })
        try await Task.sleep(for: .milliseconds(600))  // several more polls and passes over the same commit

        let failures = try records().filter { $0.commit == refused }
        #expect(failures.count == 1)
        #expect(failures.first?.result == .failed)
        #expect(failures.first?.subject == "refused")
        #expect(failures.first?.errors.contains { $0.contains(path) } == true, "\(failures)")
        #expect(await loop.status.lastError?.contains(path) == true)
        #expect(log.lines.filter { $0.contains("sync failed") && $0.contains(path) }.count == 1, "\(log.lines)")
        // Nothing from the refused commit was applied; the last good commit keeps running.
        #expect(await mode() == "one")
        #expect(await loop.status.lastAppliedCommit == good)

        try repo.git("rm", "-r", "-q", "-f", "deploy")
        try repo.write(
            "deploy/settings.yaml", Self.configMap.replacingOccurrences(of: "mode: one", with: "mode: three"))
        let fixed = try repo.commit("fixed")
        #expect(await eventually { await mode() == "three" })
        #expect(await eventually { await loop.status.lastAppliedCommit == fixed })
        #expect(try records().first?.commit == fixed)
    }

    @Test func aRestartLogsARefusedCommitAgainButDoesNotRecordItTwice() async throws {
        try repo.symlink("deploy/absolute.yaml", to: "/etc/passwd")
        let refused = try repo.commit("refused")
        for _ in 0..<2 {
            let log = LogLines()
            let loop = try controller(interval: .milliseconds(100), log: log)
            let running = Task { await loop.run() }
            #expect(await eventually { await loop.status.sync == .failed })
            try await Task.sleep(for: .milliseconds(300))
            running.cancel()
            await running.value
            // Each start says once why the commit does not sync.
            #expect(log.lines.filter { $0.contains("sync failed") }.count == 1, "\(log.lines)")
        }
        #expect(try records().filter { $0.commit == refused }.count == 1)
    }

    @Test func aRestartDoesNotRecordTheSameCommitAgainAndTriggerFetchesAtOnce() async throws {
        let first = try controller()
        var running = Task { await first.run() }
        #expect(await eventually { await mode() == "one" })
        running.cancel()
        await running.value
        let before = try records().count

        // A long interval: only trigger() can make the new commit arrive within the wait below.
        let second = try controller(interval: .seconds(3600))
        running = Task { await second.run() }
        defer { running.cancel() }
        #expect(await eventually { await second.status.lastFetchedCommit != nil })
        #expect(try records().count == before)

        try repo.write("deploy/settings.yaml", Self.configMap.replacingOccurrences(of: "mode: one", with: "mode: pushed"))
        _ = try repo.commit("pushed")
        second.trigger()
        #expect(await eventually(timeout: .seconds(20)) { await mode() == "pushed" })
    }

    @Test("stopping the loop records no failure in the history")
    func stoppingRecordsNoFailure() async throws {
        let repository = try TemporaryGitRepository()
        let commit = try repository.commitFile(
            "manifests/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
        let data = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "gitopsd-source-controller")
        defer { try? FileManager.default.removeItem(atPath: data) }
        var logger = Logger(label: "gitopsd.tests.reconciler")
        logger.logLevel = .critical
        let source = try GitSource(
            .init(repository: repository.path, path: "manifests", dataDirectory: data), logger: logger)
        let store = try SQLiteObjectStore.temporary()
        let history = SyncHistory(dataDirectory: data)
        let controller = SourceController(
            source: source, reconciler: Reconciler(client: InProcessClusterClient(store: store)), history: history,
            configuration: .init(name: "shop", interval: .milliseconds(20)), logger: logger)
        let loop = Task { await controller.run() }
        while try history.records(source: "shop").isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        // Several resync passes, then stop as SIGTERM does: the loop was cancelled while waiting (or in a pass),
        // which used to run one more pass that failed with CancellationError and was recorded as Failed.
        try await Task.sleep(for: .milliseconds(100))
        loop.cancel()
        await loop.value
        let records = try history.records(source: "shop")
        #expect(records.map(\.result) == [.applied])
        #expect(records.first?.commit == commit)
    }
}

/// Log lines a test collects, from any thread.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    var lines: [String] { lock.withLock { collected } }

    func append(_ line: String) { lock.withLock { collected.append(line) } }
}

/// Collects every message logged through it into `LogLines`.
struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    func log(event: LogEvent) { lines.append("\(event.level): \(event.message)") }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}
