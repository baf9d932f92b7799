import Foundation

/// A file tree rooted at a directory on disk, for `gitopsd validate DIR` and `gitopsd build DIR`.
///
/// Symbolic links are followed only while they stay inside the root: a link that resolves outside it is
/// refused, so a repository cannot make the renderer read `/etc/passwd` or another user's files.
public struct DirectoryFileTree: FileTree {
    /// The root, with symbolic links resolved.
    public let root: String

    /// A tree rooted at `root` (relative paths are taken from the current directory).
    /// - Throws: `KustomizeError` `.notFound` when `root` is not a directory.
    public init(root: String) throws(KustomizeError) {
        let resolved = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw KustomizeError(.notFound, "\(root): no such directory")
        }
        self.root = resolved
    }

    public func isDirectory(_ path: String) -> Bool {
        guard let full = try? resolve(path) else { return false }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    public func isFile(_ path: String) -> Bool {
        guard let full = try? resolve(path) else { return false }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    public func entries(in directory: String) throws(KustomizeError) -> [String] {
        let full = try resolve(directory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: full) else {
            throw KustomizeError(.notFound, "\(directory.isEmpty ? "." : directory): no such directory")
        }
        return names.sorted()
    }

    public func read(_ path: String, limit: Int) throws(KustomizeError) -> [UInt8] {
        let full = try resolve(path)
        if let attributes = try? FileManager.default.attributesOfItem(atPath: full),
            let size = attributes[.size] as? NSNumber, size.intValue > limit
        {
            throw KustomizeError(.syntax, "\(path): file is \(size.intValue) bytes, larger than the limit of \(limit) bytes")
        }
        guard let data = FileManager.default.contents(atPath: full) else {
            throw KustomizeError(.notFound, "\(path): no such file")
        }
        return [UInt8](data)
    }

    /// The absolute path of `path`, with links resolved, refused when it lands outside the root.
    private func resolve(_ path: String) throws(KustomizeError) -> String {
        let joined = path.isEmpty ? root : root + "/" + path
        let resolved = URL(fileURLWithPath: joined).resolvingSymlinksInPath().path
        guard resolved == root || resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
            throw KustomizeError(.outsideRoot, "\(path): a symbolic link leads outside the repository root")
        }
        return resolved
    }
}
