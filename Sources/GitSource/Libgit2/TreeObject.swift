import CGit2

/// What a tree entry holds, copied out of libgit2.
enum TreeEntryKind: Equatable {
    case tree
    case blob
    case symlink
    case submodule
    case other
}

/// One entry of a tree: name, kind and object id, owned by Swift.
struct TreeEntryInfo {
    var name: String
    var kind: TreeEntryKind
    var oid: ObjectID
}

/// Owns one `git_tree`; freed in `deinit`.
final class TreeObject {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_tree_free(pointer)
    }

    /// Looks up a tree by id.
    static func lookup(_ repository: Repository, _ oid: ObjectID) throws(GitSourceError) -> TreeObject {
        var out: OpaquePointer?
        var id = oid.raw
        let result = git_tree_lookup(&out, repository.pointer, &id)
        try Libgit2.check(result, "git_tree_lookup", doing: "cannot read tree \(oid.hex)")
        guard let out else { throw GitSourceError(.failed, "missing tree", call: "git_tree_lookup") }
        return TreeObject(owning: out)
    }

    /// The entries in git's order.
    func entries() -> [TreeEntryInfo] {
        let count = git_tree_entrycount(pointer)
        var result: [TreeEntryInfo] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(pointer, index) else { continue }
            result.append(TreeObject.info(entry))
        }
        return result
    }

    /// The entry at a slash-separated path below this tree; nil when there is none.
    func entry(atPath path: String) throws(GitSourceError) -> TreeEntryInfo? {
        var out: OpaquePointer?
        let result = git_tree_entry_bypath(&out, pointer, path)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try Libgit2.check(result, "git_tree_entry_bypath", doing: "cannot read '\(path)'")
        guard let out else { return nil }
        defer { git_tree_entry_free(out) }
        return TreeObject.info(out)
    }

    private static func info(_ entry: OpaquePointer) -> TreeEntryInfo {
        let name = git_tree_entry_name(entry).map { String(cString: $0) } ?? ""
        let kind: TreeEntryKind
        switch git_tree_entry_filemode(entry) {
        case GIT_FILEMODE_TREE: kind = .tree
        case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE: kind = .blob
        case GIT_FILEMODE_LINK: kind = .symlink
        case GIT_FILEMODE_COMMIT: kind = .submodule
        default: kind = .other
        }
        let oid = ObjectID(git_tree_entry_id(entry)?.pointee ?? git_oid())
        return TreeEntryInfo(name: name, kind: kind, oid: oid)
    }
}
