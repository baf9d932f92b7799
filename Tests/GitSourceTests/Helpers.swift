import Foundation
import GitSource
import Logging
import TestSupport

/// A logger for sources under test; quiet unless something is wrong.
let testLogger: Logger = {
    var logger = Logger(label: "gitopsd.tests.gitsource")
    logger.logLevel = .warning
    return logger
}()

/// One directory per test process for data directories and other scratch space, removed when the process
/// exits, so that tests which never clean up by themselves (mirrors made by sources) leave nothing behind.
let testScratchRoot: String = {
    let root = (try? TemporaryGitRepository.makeTemporaryDirectory(prefix: "gitopsd-gitsource-tests"))
        ?? NSTemporaryDirectory() + "/gitopsd-gitsource-tests"
    atexit {
        try? FileManager.default.removeItem(atPath: testScratchRoot)
    }
    return root
}()

/// A fresh directory under `testScratchRoot`.
func scratchDirectory(_ prefix: String) throws -> String {
    let path = testScratchRoot + "/\(prefix)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Makes a source over `repository` with a fresh data directory under `testScratchRoot`.
func makeSource(
    _ repository: String, reference: GitReference? = nil, path: String = "", credentials: GitCredentials = .init(),
    dataDirectory: String? = nil, maximumManifestSize: Int = GitSource.Configuration.defaultMaximumManifestSize
) throws -> GitSource {
    let data = try dataDirectory ?? scratchDirectory("data")
    return try GitSource(
        .init(
            repository: repository, reference: reference, path: path, credentials: credentials, dataDirectory: data,
            maximumManifestSize: maximumManifestSize),
        logger: testLogger)
}

/// Runs `body` and returns the `GitSourceError` it throws, or nil when it does not throw.
func gitSourceError<T>(_ body: () async throws -> T) async -> GitSourceError? {
    do {
        _ = try await body()
        return nil
    } catch let error as GitSourceError {
        return error
    } catch {
        return GitSourceError(.failed, "unexpected error \(error)")
    }
}

/// A repository with a few manifests in `deploy/` and other files around them.
func makeManifestRepository() throws -> TemporaryGitRepository {
    let repository = try TemporaryGitRepository()
    try repository.write("deploy/app.yaml", "kind: Deployment\n")
    try repository.write("deploy/service.yml", "kind: Service\n")
    try repository.write("deploy/nested/config.json", "{\"kind\": \"ConfigMap\"}\n")
    try repository.write("deploy/README.md", "not a manifest\n")
    try repository.write("deploy/.hidden.yaml", "kind: Hidden\n")
    try repository.write("deploy/.github/workflow.yaml", "kind: Hidden\n")
    try repository.write("other/ignored.yaml", "kind: Elsewhere\n")
    try repository.commit("Initial manifests")
    return repository
}

extension SourceFile {
    var text: String { String(decoding: contents, as: UTF8.self) }
}
