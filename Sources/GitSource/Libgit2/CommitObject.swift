import CGit2
import Foundation

/// Owns one `git_commit`; freed in `deinit`.
final class CommitObject {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_commit_free(pointer)
    }

    /// Looks up a commit by id; nil when it is not in the object database.
    static func lookup(_ repository: Repository, _ oid: ObjectID) throws(GitSourceError) -> CommitObject? {
        var out: OpaquePointer?
        var id = oid.raw
        let result = git_commit_lookup(&out, repository.pointer, &id)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try Libgit2.check(result, "git_commit_lookup", doing: "cannot read commit \(oid.hex)")
        guard let out else { return nil }
        return CommitObject(pointer: out)
    }

    /// Looks up a commit by a unique abbreviation of its id; nil when nothing matches.
    static func lookup(_ repository: Repository, prefix: String) throws(GitSourceError) -> CommitObject? {
        var oid = git_oid()
        try Libgit2.check(
            git_oid_fromstrn(&oid, prefix, prefix.utf8.count), "git_oid_fromstrn",
            doing: "'\(prefix)' is not a commit id")
        var out: OpaquePointer?
        let result = git_commit_lookup_prefix(&out, repository.pointer, &oid, prefix.utf8.count)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try Libgit2.check(result, "git_commit_lookup_prefix", doing: "cannot find commit \(prefix)")
        guard let out else { return nil }
        return CommitObject(pointer: out)
    }

    /// The commit's id.
    var oid: ObjectID {
        // git_commit_id never returns NULL for a looked-up commit.
        ObjectID(git_commit_id(pointer).pointee)
    }

    /// The parents' ids, first parent first.
    var parentIDs: [ObjectID] {
        let count = git_commit_parentcount(pointer)
        return (0..<count).compactMap { index in git_commit_parent_id(pointer, index).map { ObjectID($0.pointee) } }
    }

    /// Looks up the n-th parent.
    func parent(_ index: Int) throws(GitSourceError) -> CommitObject {
        var out: OpaquePointer?
        let result = git_commit_parent(&out, pointer, UInt32(index))
        try Libgit2.check(result, "git_commit_parent", doing: "cannot read parent \(index) of \(oid.hex)")
        guard let out else { throw GitSourceError(.failed, "missing parent", call: "git_commit_parent") }
        return CommitObject(pointer: out)
    }

    /// The root tree of the commit.
    func tree() throws(GitSourceError) -> TreeObject {
        var out: OpaquePointer?
        let result = git_commit_tree(&out, pointer)
        try Libgit2.check(result, "git_commit_tree", doing: "cannot read the tree of \(oid.hex)")
        guard let out else { throw GitSourceError(.failed, "commit has no tree", call: "git_commit_tree") }
        return TreeObject(owning: out)
    }

    /// The id of the commit's root tree, without loading it.
    var treeID: ObjectID {
        ObjectID(git_commit_tree_id(pointer).pointee)
    }

    /// Copies the metadata into a `Commit` value that can leave the worker thread.
    func metadata() -> Commit {
        let message = git_commit_message(pointer).map { String(cString: $0) } ?? ""
        let (subject, body) = Commit.split(message: message)
        return Commit(
            id: CommitID(trusted: oid.hex),
            parents: parentIDs.map { CommitID(trusted: $0.hex) },
            author: CommitObject.signature(git_commit_author(pointer)),
            committer: CommitObject.signature(git_commit_committer(pointer)),
            subject: subject,
            body: body)
    }

    private static func signature(_ signature: UnsafePointer<git_signature>?) -> GitSignature {
        guard let signature else {
            return GitSignature(name: "", email: "", time: Date(timeIntervalSince1970: 0))
        }
        let value = signature.pointee
        return GitSignature(
            name: value.name.map { String(cString: $0) } ?? "",
            email: value.email.map { String(cString: $0) } ?? "",
            time: Date(timeIntervalSince1970: TimeInterval(value.when.time)),
            timeZoneOffsetMinutes: Int(value.when.offset))
    }
}
