public import Logging
import Foundation

/// A git repository that gitopsd reads manifests from: where it is, which commit to follow, which directory to
/// read, and how to authenticate.
///
/// Remote repositories are mirrored as bare repositories under `<data-dir>/sources/` and fetched by
/// `resolve()`; local repositories are read in place. Manifests are read straight from the object database,
/// so no working tree is ever checked out or touched.
///
/// Concurrency: every libgit2 call of a source runs on the source's own serial queue, off Swift's cooperative
/// thread pool (fetches block on the network), one at a time (libgit2 handles are not thread-safe). The
/// methods can be called from any task; calls on one source are serialised.
public final class GitSource: Sendable {
    /// What a source reads and how.
    public struct Configuration: Sendable, Hashable {
        /// A local path (working tree or bare), or a `file://`, `http(s)://`, `ssh://` or `user@host:path` URL.
        public var repository: String
        /// The reference to follow; nil follows `main`, or the remote's default branch when there is no `main`.
        public var reference: GitReference?
        /// The directory inside the repository to read manifests from; empty for the root.
        public var path: String
        /// Credentials and SSH host key policy for remotes.
        public var credentials: GitCredentials
        /// The data directory; mirrors live in `<dataDirectory>/sources/`. Default `.gitopsd`.
        public var dataDirectory: String
        /// The largest manifest file read, in bytes; larger files are refused before they are read.
        /// Default 4 MiB.
        public var maximumManifestSize: Int
        /// `--include`/`--exclude` globs over paths relative to `path`; `.gitopsdignore` at the top of `path` adds
        /// its rules to them (see `PathFilter`).
        public var include: [String] = []
        public var exclude: [String] = []
        /// The committer (and author) of revert commits. Default `gitopsd <gitopsd@localhost>`.
        public var committerName: String
        /// The e-mail address of revert commits' committer.
        public var committerEmail: String

        /// The default size limit for one manifest file: 4 MiB.
        public static let defaultMaximumManifestSize = 4 << 20

        /// Creates a configuration; only the repository is required.
        public init(
            repository: String, reference: GitReference? = nil, path: String = "",
            credentials: GitCredentials = GitCredentials(), dataDirectory: String = ".gitopsd",
            maximumManifestSize: Int = Configuration.defaultMaximumManifestSize,
            committerName: String = "gitopsd", committerEmail: String = "gitopsd@localhost"
        ) {
            self.repository = repository
            self.reference = reference
            self.path = path
            self.credentials = credentials
            self.dataDirectory = dataDirectory
            self.maximumManifestSize = maximumManifestSize
            self.committerName = committerName
            self.committerEmail = committerEmail
        }
    }

    /// The configuration the source was made with.
    public let configuration: Configuration
    /// Where the repository is.
    public let location: RepositoryLocation
    /// The validated directory manifests are read from.
    public let path: RepositoryPath
    /// The bare mirror of a remote source (absolute path); nil for a local source.
    public let mirrorPath: String?

    let worker: GitWorker<SourceState>
    let logger: Logger

    /// Validates a configuration; nothing is read or fetched yet.
    ///
    /// - Parameters:
    ///   - configuration: what to read.
    ///   - logger: where the source logs fetches and failures (at info level or below, without credentials).
    /// - Throws: `.invalidConfiguration` for a path that leaves the repository, an empty or unsupported
    ///   repository, or a non-positive size limit.
    public init(_ configuration: Configuration, logger: Logger) throws(GitSourceError) {
        let currentDirectory = FileManager.default.currentDirectoryPath
        self.configuration = configuration
        self.location = try RepositoryLocation(parsing: configuration.repository, currentDirectory: currentDirectory)
        self.path = try RepositoryPath(validating: configuration.path)
        guard configuration.maximumManifestSize > 0 else {
            throw GitSourceError(.invalidConfiguration, "the manifest size limit must be positive")
        }
        if case .branch(let name) = configuration.reference, name.isEmpty {
            throw GitSourceError(.invalidConfiguration, "the branch name is empty")
        }
        if case .tag(let name) = configuration.reference, name.isEmpty {
            throw GitSourceError(.invalidConfiguration, "the tag name is empty")
        }
        if location.isRemote {
            let data =
                configuration.dataDirectory.hasPrefix("/")
                ? configuration.dataDirectory : currentDirectory + "/" + configuration.dataDirectory
            self.mirrorPath = RepositoryPath.normalisedFileSystemPath(
                data + "/sources/" + location.mirrorName + ".git")
        } else {
            self.mirrorPath = nil
        }
        var logger = logger
        logger[metadataKey: "git.source"] = "\(location)"
        self.logger = logger
        self.worker = GitWorker(label: "gitopsd.gitsource", state: SourceState())
    }

    /// The default poll interval for this kind of source: 10 s for remotes, 2 s for local repositories.
    public var defaultPollInterval: Duration {
        location.isRemote ? .seconds(10) : .seconds(2)
    }

    /// Fetches a remote source into its mirror (creating the mirror on first use), then resolves the
    /// reference to a commit. A local source is only resolved. A pinned commit that is already in the mirror
    /// is not fetched again: it cannot change.
    ///
    /// - Throws: `.notFound` (repository, branch, tag or commit), `.authenticationFailed`, `.hostKeyRejected`,
    ///   `.unreachable`.
    public func resolve() async throws(GitSourceError) -> Commit {
        let engine = engine
        let commit = try await worker.run { (state) throws(GitSourceError) -> Commit in
            try engine.resolve(&state)
        }
        logger.debug("resolved", metadata: ["git.commit": "\(commit.id)", "git.reference": "\(referenceText)"])
        return commit
    }

    /// Finds the commit an abbreviated id (at least 4 hex digits, as `git log --oneline` prints) names,
    /// fetching a remote first so that recent commits are found.
    ///
    /// - Throws: `.notFound` when no commit matches, `.invalidConfiguration` when the text is not hex or
    ///   the abbreviation is ambiguous.
    public func commit(matching abbreviation: String) async throws(GitSourceError) -> Commit {
        let engine = engine
        return try await worker.run { (state) throws(GitSourceError) -> Commit in
            try engine.commit(matching: abbreviation, &state)
        }
    }

    /// The metadata of a commit that is already in the repository (or mirror).
    public func commit(_ id: CommitID) async throws(GitSourceError) -> Commit {
        let engine = engine
        return try await worker.run { (state) throws(GitSourceError) -> Commit in
            try engine.commit(id, &state)
        }
    }

    /// The manifest files under the source's path at a commit, read from the object database, sorted by path.
    ///
    /// `.yaml`, `.yml` and `.json` files are read, recursively; names starting with `.` are skipped and other
    /// files ignored. A symlink named like a manifest whose target stays inside the path is read as its
    /// target's contents under the link's own path; symlinks to directories are not followed.
    ///
    /// - Throws: `.notFound` when the commit or path does not exist, `.symlinkEscapesPath` when a symlink
    ///   resolves outside the path, `.unsupported` for a submodule, `.invalidTree` for an entry name git
    ///   refuses (empty, holding `/`, `.`, `..`, `.git`), `.fileTooLarge` for a manifest over the size limit
    ///   (checked before the file is read).
    public func files(at id: CommitID) async throws(GitSourceError) -> [SourceFile] {
        let engine = engine
        return try await worker.run { (state) throws(GitSourceError) -> [SourceFile] in
            try engine.files(at: id, &state)
        }
    }

    /// The commits that changed the source's path, newest first.
    ///
    /// - Parameters:
    ///   - start: where to start; nil starts at the resolved reference (fetching a remote first).
    ///   - limit: the most commits returned.
    public func history(from start: CommitID? = nil, limit: Int) async throws(GitSourceError) -> [Commit] {
        let engine = engine
        return try await worker.run { (state) throws(GitSourceError) -> [Commit] in
            let from: CommitID
            if let start { from = start } else { from = try engine.resolve(&state).id }
            return try engine.history(from: from, limit: limit, &state)
        }
    }

    /// The files under the source's path that differ between two commits, sorted by path.
    public func changedFiles(from old: CommitID, to new: CommitID) async throws(GitSourceError) -> [FileChange] {
        let engine = engine
        return try await worker.run { (state) throws(GitSourceError) -> [FileChange] in
            try engine.changedFiles(from: old, to: new, &state)
        }
    }

    /// Whether `ancestor` is `descendant` or in its history. False after a force-push that rewound or
    /// rewrote the branch past `ancestor`.
    public func isAncestor(_ ancestor: CommitID, of descendant: CommitID) async throws(GitSourceError) -> Bool {
        let engine = engine
        return try await worker.run { (state) throws(GitSourceError) -> Bool in
            try engine.isAncestor(ancestor, of: descendant, &state)
        }
    }

    /// Creates a commit on the followed branch that reverts `id` (libgit2's revert, no working tree), with the
    /// message `Revert "<subject>"` and `This reverts commit <sha>.`, and publishes it: pushed to the remote
    /// with the source's credentials, or, for a local repository, by moving the branch (compare-and-swap).
    ///
    /// - Returns: the new commit.
    /// - Throws: `.conflict` (listing the paths) when later commits changed the same lines; `.pushRejected`
    ///   when the branch moved meanwhile; `.invalidConfiguration` when the source follows a tag or a pinned
    ///   commit, or the branch is checked out in a local working tree. On any failure no reference is moved.
    public func revert(_ id: CommitID) async throws(GitSourceError) -> Commit {
        let engine = engine
        let commit = try await worker.run { (state) throws(GitSourceError) -> Commit in
            try engine.revert(id, &state)
        }
        logger.info("reverted", metadata: ["git.commit": "\(commit.id)", "git.reverted": "\(id)"])
        return commit
    }

    /// The reference as text for logs.
    var referenceText: String {
        configuration.reference?.description ?? "default branch"
    }

    /// The immutable part of the work, handed to the worker queue.
    var engine: SourceEngine {
        SourceEngine(
            location: location, mirrorPath: mirrorPath, reference: configuration.reference, path: path,
            credentials: configuration.credentials, maximumManifestSize: configuration.maximumManifestSize,
            include: configuration.include, exclude: configuration.exclude, committerName: configuration.committerName, committerEmail: configuration.committerEmail)
    }
}
