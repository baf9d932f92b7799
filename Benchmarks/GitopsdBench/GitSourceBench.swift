import ArgumentParser
import Foundation
import GitSource
import Logging

/// `gitopsd-bench gitsource`: reads every manifest blob under a path at a commit, the way the reconciler does
/// on each new commit, and prints how many files and bytes were read and how long it took.
struct GitSourceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gitsource",
        abstract: "Read all manifest blobs under a path at a commit through GitSource."
    )

    @Option(help: "Repository path or URL.")
    var repo: String

    @Option(help: "Directory inside the repository.")
    var path: String = ""

    @Option(help: "Commit to read (full id); default: the default branch.")
    var revision: String?

    @Option(help: "How many times to read (the first read warms libgit2's caches).")
    var iterations: Int = 1

    @Option(name: .customLong("data-dir"), help: "Data directory for remote mirrors.")
    var dataDir: String = ".gitopsd"

    func run() async throws {
        var logger = Logger(label: "gitopsd-bench.gitsource")
        logger.logLevel = .warning
        let reference = revision.flatMap(CommitID.init).map(GitReference.commit)
        let source = try GitSource(
            .init(repository: repo, reference: reference, path: path, dataDirectory: dataDir), logger: logger)
        let commit = try await source.resolve()
        let clock = ContinuousClock()
        var files = 0
        var bytes = 0
        var best = Duration.seconds(1_000_000)
        for _ in 0..<max(iterations, 1) {
            let start = clock.now
            let read = try await source.files(at: commit.id)
            best = min(best, clock.now - start)
            files = read.count
            bytes = read.reduce(0) { $0 + $1.size }
        }
        print("{\"files\": \(files), \"bytes\": \(bytes), \"best_seconds\": \(Double(best.components.attoseconds) / 1e18 + Double(best.components.seconds))}")
    }
}
