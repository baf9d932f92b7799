import Glibc

/// Reads the manifest files below a directory of a commit's tree, straight from the object database.
struct ManifestTreeReader {
    let repository: Repository
    let root: TreeObject
    let base: RepositoryPath
    let maximumSize: Int
    let commit: CommitID
    let objects: ObjectDatabase
    /// Reads packed blobs without libgit2 when given; whatever it declines is read through `objects`.
    let packs: PackReader?
    private var files: [SourceFile] = []

    /// How many symlinks in a row are followed before giving up (a loop, most likely); the kernel uses 40.
    static let maximumSymlinkHops = 16

    init(
        repository: Repository, root: TreeObject, base: RepositoryPath, maximumSize: Int, commit: CommitID,
        packs: PackReader? = nil
    ) throws(GitSourceError) {
        self.repository = repository
        self.root = root
        self.base = base
        self.maximumSize = maximumSize
        self.commit = commit
        self.objects = try repository.objectDatabase()
        self.packs = packs
    }

    /// All manifest files under the base directory, sorted by path (byte order, so the result is the same
    /// on every machine and locale).
    mutating func read() throws(GitSourceError) -> [SourceFile] {
        let tree: TreeObject
        if base.components.isEmpty {
            tree = root
        } else {
            guard let entry = try root.entry(atPath: base.string) else {
                throw GitSourceError(.notFound, "path '\(base)' does not exist at commit \(commit.short)")
            }
            guard entry.kind == .tree else {
                throw GitSourceError(.invalidConfiguration, "path '\(base)' is not a directory at commit \(commit.short)")
            }
            tree = try TreeObject.lookup(repository, entry.oid)
        }
        files = []
        try walk(tree, directory: base.components)
        // Git orders a tree's entries so that a walk meets paths in byte order already; sorting is kept for trees
        // that break that rule, and checking first costs one comparison per file instead of a sort.
        if !ManifestTreeReader.isSortedByPath(files) {
            files.sort { ManifestTreeReader.precedes($0.path, $1.path) }
        }
        return files
    }

    /// Whether `a` sorts before `b` comparing their UTF-8 bytes, as `memcmp` would.
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { a in
            b.withUTF8 { b in
                let common = min(a.count, b.count)
                if common > 0, let x = a.baseAddress, let y = b.baseAddress {
                    let order = memcmp(x, y, common)
                    if order != 0 { return order < 0 }
                }
                return a.count < b.count
            }
        }
    }

    static func isSortedByPath(_ files: [SourceFile]) -> Bool {
        var previous: String?
        for file in files {
            if let previous, !precedes(previous, file.path) { return false }
            previous = file.path
        }
        return true
    }

    private mutating func walk(_ tree: TreeObject, directory: [String]) throws(GitSourceError) {
        // Paths are built from the directory's prefix; component arrays only for the rare symlink and subtree.
        let prefix = directory.isEmpty ? "" : directory.joined(separator: "/") + "/"
        for entry in tree.entries() where !entry.name.hasPrefix(".") {
            switch entry.kind {
            case .tree:
                try walk(TreeObject.lookup(repository, entry.oid), directory: directory + [entry.name])
            case .blob:
                if SourceFile.isManifestName(entry.name) {
                    let path = prefix + entry.name
                    files.append(SourceFile(path: path, contents: try readBlob(entry.oid, path: path), blobID: entry.oid.hex))
                }
            case .symlink:
                try readSymlink(entry, components: directory + [entry.name])
            case .submodule:
                throw GitSourceError(
                    .unsupported,
                    "'\(prefix + entry.name)' is a submodule at commit \(commit.short); "
                        + "gitopsd does not follow submodules: move its manifests into the repository")
            case .other:
                continue
            }
        }
    }

    /// Checks a symlink stays inside the base directory and, if it is named like a manifest, reads what it
    /// points to under the link's own path.
    private mutating func readSymlink(_ entry: TreeEntryInfo, components: [String]) throws(GitSourceError) {
        let linkPath = components.joined(separator: "/")
        var current = components
        var targetBlob = entry.oid
        for _ in 0..<ManifestTreeReader.maximumSymlinkHops {
            let target = String(decoding: try readBlob(targetBlob, path: current.joined(separator: "/")), as: UTF8.self)
            guard let resolved = RepositoryPath.resolve(symlinkTarget: target, linkDirectory: Array(current.dropLast())),
                base.contains(resolved)
            else {
                throw GitSourceError(
                    .symlinkEscapesPath,
                    "symlink '\(current.joined(separator: "/"))' points to '\(target)', outside '\(base)' "
                        + "at commit \(commit.short); gitopsd reads nothing outside --path")
            }
            guard SourceFile.isManifestName(entry.name) else { return }
            let resolvedPath = resolved.joined(separator: "/")
            guard let next = try root.entry(atPath: resolvedPath) else {
                throw GitSourceError(
                    .notFound, "symlink '\(linkPath)' points to '\(target)', which does not exist at \(commit.short)")
            }
            switch next.kind {
            case .blob:
                files.append(SourceFile(path: linkPath, contents: try readBlob(next.oid, path: linkPath), blobID: next.oid.hex))
                return
            case .symlink:
                current = resolved
                targetBlob = next.oid
            case .tree:
                return
            case .submodule, .other:
                throw GitSourceError(.unsupported, "symlink '\(linkPath)' points to a submodule")
            }
        }
        throw GitSourceError(.symlinkEscapesPath, "symlink '\(linkPath)' is part of a loop or a chain that is too long")
    }

    /// Reads a blob, refusing it from its header alone when it is over the size limit.
    ///
    /// Packed blobs are read by the pack reader, which knows the size from the entry (or delta) header before
    /// inflating; anything it declines (a loose object, say) is read through libgit2's object database.
    private func readBlob(_ oid: ObjectID, path: String) throws(GitSourceError) -> [UInt8] {
        switch try? packs?.read(oid, maximumSize: maximumSize) {
        case .object(let object):
            return object.bytes
        case .tooLarge(let size):
            throw tooLarge(path, size: size)
        case nil:
            break
        }
        let size = try objects.size(of: oid)
        guard size <= maximumSize else { throw tooLarge(path, size: size) }
        return try objects.read(oid)
    }

    private func tooLarge(_ path: String, size: Int) -> GitSourceError {
        GitSourceError(
            .fileTooLarge, "'\(path)' is \(size) bytes, over the manifest size limit of \(maximumSize) bytes")
    }
}
