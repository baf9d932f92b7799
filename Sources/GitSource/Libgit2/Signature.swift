import CGit2

/// Owns one `git_signature`; freed in `deinit`.
final class Signature {
    let pointer: UnsafeMutablePointer<git_signature>

    private init(pointer: UnsafeMutablePointer<git_signature>) {
        self.pointer = pointer
    }

    deinit {
        git_signature_free(pointer)
    }

    /// A signature for `name <email>` at the current time.
    static func now(name: String, email: String) throws(GitSourceError) -> Signature {
        var out: UnsafeMutablePointer<git_signature>?
        let result = git_signature_now(&out, name, email)
        try Libgit2.check(result, "git_signature_now", doing: "invalid committer identity '\(name) <\(email)>'")
        guard let out else { throw GitSourceError(.failed, "no signature", call: "git_signature_now") }
        return Signature(pointer: out)
    }
}

extension Repository {
    /// Creates a commit object without moving any reference; the caller publishes it (push or ref update).
    func createCommit(
        tree treeID: ObjectID, parents: [CommitObject], author: Signature, committer: Signature, message: String
    ) throws(GitSourceError) -> ObjectID {
        let tree = try TreeObject.lookup(self, treeID)
        var oid = git_oid()
        var parentPointers: [OpaquePointer?] = parents.map { $0.pointer }
        let result = parentPointers.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(
                &oid, pointer, nil, author.pointer, committer.pointer, "UTF-8", message, tree.pointer,
                buffer.count, buffer.baseAddress)
        }
        try Libgit2.check(result, "git_commit_create", doing: "cannot create the revert commit")
        return ObjectID(oid)
    }
}
