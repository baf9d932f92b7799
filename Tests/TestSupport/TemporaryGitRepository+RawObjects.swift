import Foundation

/// One entry of a tree written byte by byte: a mode in octal ASCII, a name, and an object id in hex.
public struct RawTreeEntry: Sendable {
    public var mode: String
    public var name: [UInt8]
    public var id: String

    /// An entry; `name` is taken as UTF-8 bytes exactly as given (it may hold `/`, be `..`, or be empty).
    public init(_ mode: String, _ name: String, _ id: String) {
        self.init(mode, bytes: Array(name.utf8), id)
    }

    public init(_ mode: String, bytes name: [UInt8], _ id: String) {
        self.mode = mode
        self.name = name
        self.id = id
    }
}

extension TemporaryGitRepository {
    /// Writes an object of any type exactly as given, without the checks git makes on objects it builds
    /// (`git hash-object --literally`), so tests can make trees git's own commands never would.
    /// - Returns: the object's id.
    public func writeObject(_ type: String, _ bytes: [UInt8]) throws -> String {
        try TemporaryGitRepository.run(
            "/usr/bin/env", ["git", "hash-object", "-t", type, "--literally", "-w", "--stdin"], in: path,
            environment: TemporaryGitRepository.gitEnvironment(home: root), input: bytes
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes a blob holding `text`; returns its id.
    public func writeBlob(_ text: String) throws -> String {
        try writeObject("blob", Array(text.utf8))
    }

    /// Writes a tree with these entries in the order given (git sorts them; a test may not want to).
    public func writeTree(_ entries: [RawTreeEntry]) throws -> String {
        var bytes: [UInt8] = []
        for entry in entries {
            bytes += Array(entry.mode.utf8) + [0x20] + entry.name + [0]
            var hex = Array(entry.id.utf8)[...]
            while hex.count >= 2, let byte = UInt8(String(decoding: hex.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(byte)
                hex = hex.dropFirst(2)
            }
        }
        return try writeObject("tree", bytes)
    }

    /// Commits `tree` as a child of `HEAD` and moves the current branch to it, leaving index and working
    /// tree as they were (they may not be able to hold such a tree); returns the commit's id.
    @discardableResult
    public func commitTree(_ tree: String, message: String) throws -> String {
        let commit = try git("commit-tree", tree, "-p", "HEAD", "-m", message)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try git("update-ref", "HEAD", commit)
        return commit
    }

    /// What `git fsck` reports about the repository's objects (it exits non-zero for some findings, such as an
    /// empty name): how a test makes sure the tree it wrote holds the entry it means to.
    public func fsckReport() throws -> String {
        let result = try ProcessRunner.run(
            "/usr/bin/env", ["git", "fsck", "--no-dangling"], in: path,
            environment: TemporaryGitRepository.gitEnvironment(home: root))
        return result.standardOutput + result.standardError
    }
}
