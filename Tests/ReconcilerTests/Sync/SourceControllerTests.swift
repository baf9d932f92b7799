import Foundation
import GitSource
import Logging
import Orchestrator
import TestSupport
import Testing

@testable import Reconciler

/// The GitOps loop of one source against a real repository, store and history file.
@Suite("SourceController: the loop", .timeLimit(.minutes(1)))
struct SourceControllerTests {
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
