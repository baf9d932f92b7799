import Foundation

/// A git repository made with the real `git` in a fresh temporary directory, deleted on `deinit`.
///
/// Tests build fixtures with it the way a user would: write files, commit, tag, branch, and run any other
/// `git` command. Every `git` call runs with an isolated configuration (no system or user config, a fixed
/// identity, no signing) and commit times that advance one minute per commit from a fixed date, so that
/// history order and ids are the same on every machine.
///
/// Not thread-safe: use one instance from one task at a time.
public final class TemporaryGitRepository: @unchecked Sendable {
    /// The repository directory: the working tree, or the repository itself when bare.
    public let path: String
    /// Whether the repository has no working tree.
    public let isBare: Bool
    /// The temporary directory holding the repository and anything else a test puts there.
    public let root: String
    private var clock = 1_700_000_000

    /// A `file://` URL for the repository, for fetching it through a real transport.
    public var fileURL: String { "file://" + path }

    /// Creates an empty repository.
    ///
    /// - Parameters:
    ///   - bare: create a bare repository (something to push to and fetch from).
    ///   - branch: the initial branch name.
    public init(bare: Bool = false, branch: String = "main") throws {
        root = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "gitopsd-repo")
        path = root + (bare ? "/repo.git" : "/repo")
        isBare = bare
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var arguments = ["init", "-q", "--initial-branch=\(branch)"]
        if bare { arguments.append("--bare") }
        try git(arguments)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Writes a text file (creating parent directories) relative to the working tree.
    public func write(_ relativePath: String, _ text: String) throws {
        try write(relativePath, bytes: Array(text.utf8))
    }

    /// Writes a binary file (creating parent directories) relative to the working tree.
    public func write(_ relativePath: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path + "/" + relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// Deletes a file or directory relative to the working tree.
    public func remove(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + relativePath)
    }

    /// Creates a symbolic link at `relativePath` whose target is `target`, exactly as given.
    public func symlink(_ relativePath: String, to target: String) throws {
        let url = URL(fileURLWithPath: path + "/" + relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }

    /// Stages everything and commits; returns the new commit's full id.
    @discardableResult
    public func commit(_ message: String, allowEmpty: Bool = false) throws -> String {
        try git("add", "-A")
        var arguments = ["commit", "-q", "-m", message]
        if allowEmpty { arguments.append("--allow-empty") }
        try git(arguments)
        return try head()
    }

    /// Writes one file and commits it; returns the new commit's full id.
    @discardableResult
    public func commitFile(_ relativePath: String, _ text: String, message: String? = nil) throws -> String {
        try write(relativePath, text)
        return try commit(message ?? "Update \(relativePath)")
    }

    /// Tags `HEAD` (or `target`); annotated when a message is given.
    public func tag(_ name: String, message: String? = nil, at target: String = "HEAD") throws {
        if let message {
            try git("tag", "-a", name, "-m", message, target)
        } else {
            try git("tag", name, target)
        }
    }

    /// Creates a branch at `HEAD` (or `start`) without switching to it.
    public func branch(_ name: String, at start: String = "HEAD") throws {
        try git("branch", name, start)
    }

    /// Switches the working tree to a branch, creating it when `create` is set.
    public func checkout(_ name: String, create: Bool = false) throws {
        try git(create ? ["checkout", "-q", "-b", name] : ["checkout", "-q", name])
    }

    /// The full id `HEAD` (or another revision) points to.
    public func head(_ revision: String = "HEAD") throws -> String {
        try git("rev-parse", revision).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `git` in the repository; returns standard output; throws with standard error on failure.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try git(arguments)
    }

    /// Runs `git` in the repository; returns standard output; throws with standard error on failure.
    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        clock += 60
        var environment = TemporaryGitRepository.gitEnvironment(home: root)
        environment["GIT_AUTHOR_DATE"] = "@\(clock) +0000"
        environment["GIT_COMMITTER_DATE"] = "@\(clock) +0000"
        return try TemporaryGitRepository.run(
            "/usr/bin/env", ["git"] + arguments, in: path, environment: environment)
    }

    /// The environment every `git` call here runs with: no system or user configuration, a fixed identity.
    public static func gitEnvironment(home: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("GIT_") { environment[key] = nil }
        environment["HOME"] = home
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_AUTHOR_NAME"] = "Test Author"
        environment["GIT_AUTHOR_EMAIL"] = "author@example.com"
        environment["GIT_COMMITTER_NAME"] = "Test Committer"
        environment["GIT_COMMITTER_EMAIL"] = "committer@example.com"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        // Local-path submodules are refused by default since git 2.38.1; fixtures need them.
        environment["GIT_CONFIG_COUNT"] = "2"
        environment["GIT_CONFIG_KEY_0"] = "protocol.file.allow"
        environment["GIT_CONFIG_VALUE_0"] = "always"
        environment["GIT_CONFIG_KEY_1"] = "commit.gpgsign"
        environment["GIT_CONFIG_VALUE_1"] = "false"
        return environment
    }

    /// Creates a fresh directory under the system temporary directory.
    public static func makeTemporaryDirectory(prefix: String) throws -> String {
        let base = NSTemporaryDirectory()
        let directory = base + (base.hasSuffix("/") ? "" : "/") + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Resolve symlinks (such as /tmp -> /private/tmp) so paths compare equal to what git reports.
        return URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
    }

    /// Runs a program to completion and returns its standard output.
    ///
    /// - Throws: `CommandFailure` with the exit status and standard error when it exits non-zero.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil,
        environment: [String: String]? = nil, input: [UInt8]? = nil
    ) throws -> String {
        let result = try ProcessRunner.run(executable, arguments, in: directory, environment: environment, input: input)
        guard result.status == 0 else {
            throw CommandFailure(
                command: ([executable] + arguments).joined(separator: " "), status: result.status,
                standardError: result.standardError)
        }
        return result.standardOutput
    }
}

/// A command run by a test helper exited non-zero.
public struct CommandFailure: Error, CustomStringConvertible {
    /// The command line.
    public var command: String
    /// The exit status.
    public var status: Int32
    /// What it printed on standard error.
    public var standardError: String

    public var description: String { "\(command) exited \(status): \(standardError)" }
}
