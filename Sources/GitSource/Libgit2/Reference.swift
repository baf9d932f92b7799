import CGit2

/// Owns one `git_reference`; freed in `deinit`.
final class Reference {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_reference_free(pointer)
    }

    /// Looks a reference up by full name; nil when it does not exist.
    static func lookup(_ repository: Repository, name: String) throws(GitSourceError) -> Reference? {
        var out: OpaquePointer?
        let result = git_reference_lookup(&out, repository.pointer, name)
        if result == GIT_ENOTFOUND.rawValue || result == GIT_EINVALIDSPEC.rawValue { return nil }
        try Libgit2.check(result, "git_reference_lookup", doing: "cannot read reference \(name)")
        guard let out else { return nil }
        return Reference(pointer: out)
    }

    /// The name a symbolic reference points to, or nil for a direct reference.
    var symbolicTarget: String? {
        guard let target = git_reference_symbolic_target(pointer) else { return nil }
        return String(cString: target)
    }

    /// Follows the reference (and any annotated tags) down to a commit.
    func peeledCommitID(repository: Repository) throws(GitSourceError) -> ObjectID {
        var object: OpaquePointer?
        let result = git_reference_peel(&object, pointer, GIT_OBJECT_COMMIT)
        try Libgit2.check(result, "git_reference_peel", doing: "reference does not point to a commit")
        guard let object else {
            throw GitSourceError(.failed, "reference does not point to a commit", call: "git_reference_peel")
        }
        defer { git_object_free(object) }
        guard let id = git_object_id(object) else {
            throw GitSourceError(.failed, "peeled object has no id", call: "git_object_id")
        }
        return ObjectID(id.pointee)
    }
}
