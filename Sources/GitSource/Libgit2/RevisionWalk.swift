import CGit2

/// Owns one `git_revwalk`; freed in `deinit`. Walks history newest first (topological, then by time).
final class RevisionWalk {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_revwalk_free(pointer)
    }

    /// A walk over the history of `start`.
    static func starting(at start: ObjectID, in repository: Repository) throws(GitSourceError) -> RevisionWalk {
        var out: OpaquePointer?
        try Libgit2.check(git_revwalk_new(&out, repository.pointer), "git_revwalk_new", doing: "cannot walk history")
        guard let out else { throw GitSourceError(.failed, "no revision walker", call: "git_revwalk_new") }
        let walk = RevisionWalk(pointer: out)
        try Libgit2.check(
            git_revwalk_sorting(out, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "git_revwalk_sorting",
            doing: "cannot sort history")
        var id = start.raw
        try Libgit2.check(git_revwalk_push(out, &id), "git_revwalk_push", doing: "cannot walk from \(start.hex)")
        return walk
    }

    /// The next commit id, or nil at the end of history.
    func next() throws(GitSourceError) -> ObjectID? {
        var oid = git_oid()
        let result = git_revwalk_next(&oid, pointer)
        if result == GIT_ITEROVER.rawValue { return nil }
        try Libgit2.check(result, "git_revwalk_next", doing: "cannot walk history")
        return ObjectID(oid)
    }
}
