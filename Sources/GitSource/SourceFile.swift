/// One manifest file read from the object database at a commit.
public struct SourceFile: Sendable, Hashable {
    /// The path relative to the repository root, with `/` separators (for a symlink, the link's own path).
    public var path: String
    /// The file's bytes, exactly as stored in git.
    public var contents: [UInt8]
    /// The blob id, which lets a caller skip re-parsing a file that did not change between commits.
    public var blobID: String

    /// Creates a manifest file.
    public init(path: String, contents: [UInt8], blobID: String) {
        self.path = path
        self.contents = contents
        self.blobID = blobID
    }

    /// The size in bytes.
    public var size: Int { contents.count }

    /// Whether a file name is one gitopsd reads as a manifest (`.yaml`, `.yml`, `.json`).
    public static func isManifestName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json")
    }
}

/// A file that differs between two commits.
public struct FileChange: Sendable, Hashable, Codable {
    /// How the file changed.
    public enum Status: String, Sendable, Hashable, Codable {
        case added, modified, deleted, typeChanged
    }

    /// The path relative to the repository root.
    public var path: String
    /// How it changed.
    public var status: Status

    /// Creates a change.
    public init(path: String, status: Status) {
        self.path = path
        self.status = status
    }
}
