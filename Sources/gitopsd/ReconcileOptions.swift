import ArgumentParser
import GitSource
import Logging
import Reconciler

/// The options `reconcile --once` and `diff` share: the source, and how a sync treats it.
struct ReconcileOptions: ParsableArguments {
    @OptionGroup var source: SourceOptions

    @Option(help: "The source's name, written to the gitopsd.io/source label (default: the repository's name).")
    var name: String?

    @Flag(help: "Delete managed objects the commit no longer declares.")
    var prune = false

    @Flag(name: .customLong("allow-empty"), help: "Accept a commit with no manifests.")
    var allowEmpty = false

    func validate() throws {
        if source.repo == nil { throw ValidationError("--repo is required") }
    }

    var sourceName: String { name ?? SourceSpec.defaultName(for: source.repo ?? "") }

    /// Resolves the reference and reads its manifests.
    func revision() async throws -> SourceRevision {
        do {
            let git = try await source.makeSource()
            let commit = try await git.resolve()
            let files = try await git.files(at: commit.id)
            return SourceRevision(
                source: sourceName, commit: commit.id.description, subject: commit.subject,
                author: "\(commit.author.name) <\(commit.author.email)>", time: commit.time,
                files: files.map { .init(path: $0.path, bytes: $0.contents) })
        } catch let error as GitSourceError {
            throw CLIError("\(error)")
        }
    }
}
