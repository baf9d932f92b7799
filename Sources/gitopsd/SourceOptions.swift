import API
import ArgumentParser
import Foundation
import GitSource
import Logging

/// The options every `gitopsd source` command shares: which repository, reference and path, and credentials.
struct SourceOptions: ParsableArguments {
    @Option(help: "Repository: a local path, or a file://, http(s)://, ssh:// or user@host:path URL.")
    var repo: String?

    @Option(help: "Branch to follow (default: main, else the remote's default branch).")
    var branch: String?

    @Option(help: "Tag to read.")
    var tag: String?

    @Option(help: "Commit to read (full id, or an abbreviation of at least 4 hex digits).")
    var revision: String?

    @Option(help: "Directory inside the repository that holds the manifests.")
    var path: String = ""

    @Option(name: .customLong("data-dir"), help: "Data directory; remote repositories are mirrored under it.")
    var dataDir: String = ".gitopsd"

    @Option(help: "User name for HTTP(S), or the SSH user when the URL names none.")
    var username: String?

    @Option(name: .customLong("password-file"), help: "File holding the HTTP(S) password (or $GITOPSD_GIT_PASSWORD).")
    var passwordFile: String?

    @Option(name: .customLong("token-file"), help: "File holding an HTTP(S) access token.")
    var tokenFile: String?

    @Option(name: .customLong("ssh-key"), help: "SSH private key file.")
    var sshKey: String?

    @Option(name: .customLong("ssh-key-passphrase-file"), help: "File holding the SSH key's passphrase.")
    var sshKeyPassphraseFile: String?

    @Option(name: .customLong("known-hosts"), help: "known_hosts file for SSH host keys (default ~/.ssh/known_hosts).")
    var knownHosts: String?

    @Flag(
        name: .customLong("insecure-skip-host-key-check"),
        help: "Accept any SSH host key. Allows man-in-the-middle attacks; for tests only.")
    var insecureSkipHostKeyCheck = false

    @Option(
        name: .customLong("include"),
        help: "Read only manifest files matching this glob (relative to --path; repeatable), as Argo CD's directory include.")
    var include: [String] = []

    @Option(
        name: .customLong("exclude"),
        help: "Leave out files matching this glob (relative to --path; repeatable). A .gitopsdignore at the top of --path adds gitignore-style rules.")
    var exclude: [String] = []

    @Option(name: .customLong("max-manifest-size"), help: "Largest manifest file read, in bytes.")
    var maxManifestSize: Int = GitSource.Configuration.defaultMaximumManifestSize

    func validate() throws {
        if [branch, tag, revision].compactMap({ $0 }).count > 1 {
            throw ValidationError("give at most one of --branch, --tag and --revision")
        }
        if passwordFile != nil, tokenFile != nil {
            throw ValidationError("give either --password-file or --token-file, not both")
        }
        if let glob = PathFilter(include: include, exclude: exclude).invalidGlob {
            throw ValidationError("--include/--exclude '\(glob)': globs are relative to --path (no leading '/', no '..')")
        }
        if let revision, !(4...64).contains(revision.count) || !revision.allSatisfy(\.isHexDigit) {
            throw ValidationError("--revision must be a commit id (4 to 40 hex digits), got '\(revision)'")
        }
    }

    /// The reference the flags select; nil for the default branch.
    var reference: GitReference? {
        if let branch { return .branch(branch) }
        if let tag { return .tag(tag) }
        if let revision, let id = CommitID(revision) { return .commit(id) }
        return nil
    }

    /// Reads the secrets from their files (never from flags, so they stay out of `ps` and shell history).
    func credentials() throws -> GitCredentials {
        var password = ProcessInfo.processInfo.environment["GITOPSD_GIT_PASSWORD"]
        if let file = passwordFile ?? tokenFile {
            password = try SourceOptions.secret(from: file, what: tokenFile != nil ? "token" : "password")
        }
        if let sshKey { SecretFile.warnIfReadableByOthers(sshKey, what: "SSH key") }
        return GitCredentials(
            username: username, password: password, sshPrivateKeyPath: sshKey,
            sshPassphrase: try sshKeyPassphraseFile.map { try SourceOptions.secret(from: $0, what: "passphrase") },
            knownHostsPath: knownHosts, insecureSkipHostKeyCheck: insecureSkipHostKeyCheck)
    }

    /// Builds the source the options describe; an abbreviated `--revision` is expanded to the commit it names
    /// (fetching a remote first), so that the source is pinned to a full id.
    func makeSource(logger: Logger? = nil) async throws -> GitSource {
        let logger = logger ?? Logger.standardError(label: "gitopsd.source", level: .warning)
        var configuration = try gitConfiguration()
        if let revision, CommitID(revision) == nil {
            let commit = try await GitSource(configuration, logger: logger).commit(matching: revision)
            configuration.reference = .commit(commit.id)
        }
        return try GitSource(configuration, logger: logger)
    }

    /// The source configuration the flags describe.
    func gitConfiguration() throws -> GitSource.Configuration {
        guard let repo else { throw ValidationError("--repo is required") }
        var configuration = GitSource.Configuration(
            repository: repo, reference: reference, path: path, credentials: try credentials(),
            dataDirectory: dataDir, maximumManifestSize: maxManifestSize)
        configuration.include = include
        configuration.exclude = exclude
        return configuration
    }

    /// The first line of a secret file, without its newline.
    static func secret(from file: String, what: String) throws -> String {
        SecretFile.warnIfReadableByOthers(file, what: what)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw GitSourceError(.invalidConfiguration, "cannot read the \(what) file \(file)")
        }
        let text = String(decoding: data, as: UTF8.self)
        return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `body`, turning any failure into one line on standard error and exit code 1.
    static func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as GitSourceError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// How `gitopsd source` prints its result.
enum SourceOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, yaml
}
