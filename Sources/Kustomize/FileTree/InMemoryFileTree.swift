/// A file tree held in memory as a map of path to bytes: for files read out of a git commit, and tests.
///
/// Directories are implied by the paths of the files under them, as in git, so an empty directory does
/// not exist.
public struct InMemoryFileTree: FileTree {
    /// File contents keyed by normalised path (`overlay/kustomization.yaml`).
    public private(set) var files: [String: [UInt8]]

    /// A tree of the given files; leading `./` and `/` are dropped from paths.
    public init(files: [String: [UInt8]]) {
        var normalised: [String: [UInt8]] = [:]
        for (path, bytes) in files {
            normalised[TreePath.lexicallyClean(path)] = bytes
        }
        self.files = normalised
    }

    /// A tree of text files, for tests and small fixtures.
    public init(texts: [String: String]) {
        self.init(files: texts.mapValues { Array($0.utf8) })
    }

    public func isDirectory(_ path: String) -> Bool {
        if path.isEmpty { return true }
        let prefix = path + "/"
        return files.keys.contains { $0.hasPrefix(prefix) }
    }

    public func isFile(_ path: String) -> Bool { files[path] != nil }

    public func entries(in directory: String) throws(KustomizeError) -> [String] {
        guard isDirectory(directory) else { throw KustomizeError(.notFound, "\(directory): no such directory") }
        let prefix = directory.isEmpty ? "" : directory + "/"
        var names = Set<String>()
        for path in files.keys where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            if let name = rest.split(separator: "/", maxSplits: 1).first { names.insert(String(name)) }
        }
        return names.sorted()
    }

    public func read(_ path: String, limit: Int) throws(KustomizeError) -> [UInt8] {
        guard let bytes = files[path] else { throw KustomizeError(.notFound, "\(path): no such file") }
        guard bytes.count <= limit else {
            throw KustomizeError(.syntax, "\(path): file is \(bytes.count) bytes, larger than the limit of \(limit) bytes")
        }
        return bytes
    }
}
