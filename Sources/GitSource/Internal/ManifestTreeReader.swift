import API
import Glibc

/// Reads the manifest files below a directory of a commit's tree, straight from the object database.
struct ManifestTreeReader {
    let repository: Repository
    let root: TreeObject
    let base: RepositoryPath
    let maximumSize: Int
    let commit: CommitID
    let objects: ObjectDatabase
    /// Reads packed trees and blobs without libgit2 when given; whatever it declines is read through libgit2.
    let packs: PackReader?
    let include: [String]
    let exclude: [String]
    /// Made in `read()`, once the base directory's `.gitopsdignore` is known.
    private var filter = PathFilter()
    private var files: [SourceFile] = []

    /// How many symlinks in a row are followed before giving up (a loop, most likely); the kernel uses 40.
    static let maximumSymlinkHops = 16

    init(
        repository: Repository, root: TreeObject, base: RepositoryPath, maximumSize: Int, commit: CommitID,
        include: [String] = [], exclude: [String] = [], packs: PackReader? = nil
    ) throws(GitSourceError) {
        self.include = include
        self.exclude = exclude
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
        let tree: [TreeEntryInfo]
        if base.components.isEmpty {
            tree = root.entries()
        } else {
            guard let entry = try root.entry(atPath: base.string) else {
                throw GitSourceError(.notFound, "path '\(base)' does not exist at commit \(commit.short)")
            }
            guard entry.kind == .tree else {
                throw GitSourceError(.invalidConfiguration, "path '\(base)' is not a directory at commit \(commit.short)")
            }
            tree = try entries(of: entry.oid, directory: base.string)
        }
        files = []
        var ignoreFile: String?
        if let entry = tree.first(where: { $0.name == PathFilter.ignoreFileName && $0.kind == .blob }) {
            let path = base.components.isEmpty ? entry.name : base.string + "/" + entry.name
            ignoreFile = String(decoding: try readBlob(entry.oid, path: path), as: UTF8.self)
        }
        filter = PathFilter(ignoreFile: ignoreFile, include: include, exclude: exclude)
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
        // Native strings are contiguous UTF-8, compared in place; others (bridged) take the generic path.
        let order = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Bool in
                let common = min(x.count, y.count)
                if common > 0, let xBase = x.baseAddress, let yBase = y.baseAddress {
                    let order = memcmp(xBase, yBase, common)
                    if order != 0 { return order < 0 }
                }
                return x.count < y.count
            }
        }
        return (order ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func isSortedByPath(_ files: [SourceFile]) -> Bool {
        for index in files.indices.dropFirst() where !precedes(files[index - 1].path, files[index].path) {
            return false
        }
        return true
    }

    /// A tree's entries: parsed here from what the pack reader read, else looked up through libgit2 (which
    /// also reports a missing or malformed tree).
    private func entries(of oid: ObjectID, directory: String) throws(GitSourceError) -> [TreeEntryInfo] {
        if case .object(let object)? = try? packs?.read(oid), object.kind == .tree,
            let entries = try? TreeEntries.parse(object.bytes)
        {
            return entries
        }
        do {
            return try TreeObject.lookup(repository, oid).entries()
        } catch {
            // libgit2 refuses to parse an entry with an empty name, and says only "can't parse filename" about
            // the tree's id: name the problem and the directory instead.
            if let bytes = try? objects.read(oid), TreeEntries.hasEmptyName(bytes) {
                throw invalidTree(directory: directory, entry: "with an empty name")
            }
            throw error.context("cannot read directory '\(directory)' at commit \(commit.short)")
        }
    }

    private func invalidTree(directory: String, entry refusal: String) -> GitSourceError {
        GitSourceError(
            .invalidTree,
            "directory '\(directory.isEmpty ? "/" : directory)' at commit \(commit.short) has an entry \(refusal), "
                + "which git refuses (git fsck); nothing is read from this commit")
    }

    private mutating func walk(_ tree: [TreeEntryInfo], directory: [String]) throws(GitSourceError) {
        // Paths are built from the directory's prefix; component arrays only for the rare symlink and subtree.
        let prefix = directory.isEmpty ? "" : directory.joined(separator: "/") + "/"
        for entry in tree {
            // Checked before hidden names are skipped: `.`, `..` and `.git` are hidden names too.
            if let refusal = Self.refusal(ofName: entry.name) {
                throw invalidTree(directory: directory.joined(separator: "/"), entry: refusal)
            }
            if entry.name.hasPrefix(".") { continue }
            guard filter.isEmpty || filter.admits(relative(prefix + entry.name), isDirectory: entry.kind == .tree)
            else { continue }
            switch entry.kind {
            case .tree:
                try walk(
                    entries(of: entry.oid, directory: prefix + entry.name), directory: directory + [entry.name])
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

    /// `path` (from the repository's top) relative to the base directory, as the filter sees it.
    private func relative(_ path: String) -> String {
        base.components.isEmpty ? path : String(path.dropFirst(base.string.count + 1))
    }

    /// Why git refuses an entry name (`git fsck`: emptyName, fullPathname, hasDot, hasDotdot, hasDotgit), or nil
    /// when it does not. Paths are built by joining names with `/`, so each of these would make a path mean
    /// something other than the tree says: a deeper or shallower directory, the parent, or git's own metadata.
    static func refusal(ofName name: String) -> String? {
        let bytes = name.utf8
        guard let first = bytes.first else { return "with an empty name" }
        if bytes.contains(UInt8(ascii: "/")) { return "named '\(name)' (a name cannot hold '/')" }
        guard first == UInt8(ascii: "."), bytes.count <= 4 else { return nil }
        if name == "." || name == ".." || name.lowercased() == ".git" { return "named '\(name)'" }
        return nil
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
