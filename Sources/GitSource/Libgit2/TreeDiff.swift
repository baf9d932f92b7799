import CGit2

/// Owns one `git_diff` between two trees; freed in `deinit`.
final class TreeDiff {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_diff_free(pointer)
    }

    /// Diffs two trees, limited to `pathspec` when it is not empty.
    static func between(
        _ old: TreeObject, _ new: TreeObject, in repository: Repository, pathspec: String
    ) throws(GitSourceError) -> TreeDiff {
        var options = git_diff_options()
        try Libgit2.check(
            git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "git_diff_options_init",
            doing: "cannot prepare a diff")
        let paths = pathspec.isEmpty ? [] : [pathspec]
        return try withStrArray(paths) { (array) throws(GitSourceError) -> TreeDiff in
            options.pathspec = array.pointee
            var out: OpaquePointer?
            let result = git_diff_tree_to_tree(&out, repository.pointer, old.pointer, new.pointer, &options)
            try Libgit2.check(result, "git_diff_tree_to_tree", doing: "cannot diff trees")
            guard let out else { throw GitSourceError(.failed, "no diff", call: "git_diff_tree_to_tree") }
            return TreeDiff(pointer: out)
        }
    }

    /// The changed files, copied out.
    func changes() -> [FileChange] {
        let count = git_diff_num_deltas(pointer)
        var result: [FileChange] = []
        for index in 0..<count {
            guard let delta = git_diff_get_delta(pointer, index)?.pointee else { continue }
            let status: FileChange.Status
            switch delta.status {
            case GIT_DELTA_ADDED: status = .added
            case GIT_DELTA_DELETED: status = .deleted
            case GIT_DELTA_TYPECHANGE: status = .typeChanged
            default: status = .modified
            }
            let file = status == .deleted ? delta.old_file : delta.new_file
            guard let cPath = file.path else { continue }
            result.append(FileChange(path: String(cString: cPath), status: status))
        }
        return result
    }
}
