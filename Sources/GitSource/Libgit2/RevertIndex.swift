import CGit2

/// Owns the in-memory `git_index` that `git_revert_commit` produces; freed in `deinit`.
///
/// Nothing is written to the repository's own index or working tree: the index only becomes a tree object
/// when it has no conflicts, so a failed revert leaves nothing half-written behind.
final class RevertIndex {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_index_free(pointer)
    }

    /// Computes the index of `ours` with `commit`'s changes undone. For a merge commit, `mainline` is the
    /// 1-based parent the revert is relative to (0 for ordinary commits).
    static func reverting(
        _ commit: CommitObject, onto ours: CommitObject, mainline: Int, in repository: Repository
    ) throws(GitSourceError) -> RevertIndex {
        var options = git_merge_options()
        try Libgit2.check(
            git_merge_options_init(&options, UInt32(GIT_MERGE_OPTIONS_VERSION)), "git_merge_options_init",
            doing: "cannot prepare the revert")
        var out: OpaquePointer?
        let result = git_revert_commit(
            &out, repository.pointer, commit.pointer, ours.pointer, UInt32(mainline), &options)
        try Libgit2.check(result, "git_revert_commit", doing: "cannot revert \(commit.oid.hex)")
        guard let out else { throw GitSourceError(.failed, "revert produced no index", call: "git_revert_commit") }
        return RevertIndex(pointer: out)
    }

    /// The paths that conflict, sorted and without duplicates; empty when the revert applies cleanly.
    func conflictingPaths() -> [String] {
        guard git_index_has_conflicts(pointer) == 1 else { return [] }
        var paths = Set<String>()
        for index in 0..<git_index_entrycount(pointer) {
            guard let entry = git_index_get_byindex(pointer, index), git_index_entry_stage(entry) > 0,
                let cPath = entry.pointee.path
            else { continue }
            paths.insert(String(cString: cPath))
        }
        return paths.sorted()
    }

    /// Writes the index as tree objects into `repository` and returns the root tree id.
    func writeTree(to repository: Repository) throws(GitSourceError) -> ObjectID {
        var oid = git_oid()
        let result = git_index_write_tree_to(&oid, pointer, repository.pointer)
        try Libgit2.check(result, "git_index_write_tree_to", doing: "cannot write the reverted tree")
        return ObjectID(oid)
    }
}
