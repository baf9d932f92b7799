/// A normalised path inside a repository, such as the `--path` a source reads.
///
/// Made only through `init(validating:)`, which refuses `..` and absolute paths, so a value of this type can
/// never point outside the repository.
public struct RepositoryPath: Sendable, Hashable, CustomStringConvertible {
    /// The components, without `.` or empty parts; empty for the repository root.
    public let components: [String]

    /// The repository root.
    public static let root = RepositoryPath(components: [])

    init(components: [String]) {
        self.components = components
    }

    /// Validates and normalises a path given by a user.
    ///
    /// `""`, `"."` and `"./"` are the root; `a//b/./c/` becomes `a/b/c`.
    /// - Throws: `.invalidConfiguration` when the path is absolute or has a `..` component.
    public init(validating text: String) throws(GitSourceError) {
        if text.hasPrefix("/") {
            throw GitSourceError(
                .invalidConfiguration, "path '\(text)' is absolute; give a path relative to the repository root")
        }
        var parts: [String] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                throw GitSourceError(
                    .invalidConfiguration, "path '\(text)' contains '..'; it must stay inside the repository")
            }
            parts.append(String(part))
        }
        self.components = parts
    }

    /// The path with `/` separators; empty for the root.
    public var string: String { components.joined(separator: "/") }

    public var description: String { components.isEmpty ? "." : string }

    /// Whether `other` is this path or lies under it.
    func contains(_ other: [String]) -> Bool {
        other.count >= components.count && Array(other.prefix(components.count)) == components
    }

    /// Resolves a symlink target relative to the directory holding the link, the way the file system would
    /// inside the repository; nil when the target is absolute or climbs above the repository root.
    static func resolve(symlinkTarget target: String, linkDirectory: [String]) -> [String]? {
        if target.hasPrefix("/") { return nil }
        var result = linkDirectory
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if result.isEmpty { return nil }
                result.removeLast()
                continue
            }
            result.append(String(part))
        }
        return result
    }

    /// Collapses `.`, `..` and repeated slashes of an absolute file-system path, textually.
    static func normalisedFileSystemPath(_ path: String) -> String {
        var result: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !result.isEmpty { result.removeLast() }
                continue
            }
            result.append(part)
        }
        return "/" + result.joined(separator: "/")
    }
}
