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
        // Almost every name is ASCII, where comparing bytes without case is the same test, minus the allocation.
        if let ascii = asciiManifestName(name) { return ascii }
        let lower = name.lowercased()
        return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json")
    }

    /// `isManifestName` for an ASCII name; nil when the name is not ASCII.
    private static func asciiManifestName(_ name: String) -> Bool? {
        let result = name.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            func hasSuffix(_ suffix: StaticString) -> Bool {
                let count = suffix.utf8CodeUnitCount
                guard bytes.count >= count else { return false }
                let start = bytes.count - count
                for offset in 0..<count {
                    // ASCII letters lower-case by setting bit 5; the suffixes are lower-case letters and '.'.
                    let byte = bytes[start + offset]
                    let lower = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
                    if lower != suffix.utf8Start[offset] { return false }
                }
                return true
            }
            return hasSuffix(".yaml") || hasSuffix(".yml") || hasSuffix(".json")
        }
        return result ?? nil
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
