import CGit2

/// Owns one `git_repository`; freed in `deinit`.
///
/// Not thread-safe (libgit2 repositories must not be used from two threads at once): a `Repository` lives on
/// one `GitWorker` queue and never leaves it.
final class Repository {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_repository_free(pointer)
    }

    /// Opens the repository at exactly `path` (a working tree or a bare repository), without searching parent
    /// directories, so that a mistyped path inside some other repository is reported instead of silently read.
    static func open(path: String) throws(GitSourceError) -> Repository {
        Libgit2.initialise()
        var out: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        let result = git_repository_open_ext(&out, path, flags, nil)
        guard result >= 0, let out else {
            var error = Libgit2.error(result, call: "git_repository_open_ext", doing: "no git repository at \(path)")
            if result == GIT_ENOTFOUND.rawValue { error.code = .notFound }
            throw error
        }
        return Repository(pointer: out)
    }

    /// Creates a bare repository at `path`, creating missing parent directories.
    static func initBare(path: String) throws(GitSourceError) -> Repository {
        Libgit2.initialise()
        var out: OpaquePointer?
        let result = git_repository_init(&out, path, 1)
        guard result >= 0, let out else {
            throw Libgit2.error(result, call: "git_repository_init", doing: "cannot create mirror at \(path)")
        }
        return Repository(pointer: out)
    }

    /// Whether the repository has no working tree.
    var isBare: Bool { git_repository_is_bare(pointer) == 1 }

    /// The working tree directory, or nil for a bare repository.
    var workingDirectory: String? {
        guard let cPath = git_repository_workdir(pointer) else { return nil }
        return String(cString: cPath)
    }

    // MARK: References

    /// The id a reference points to after following symbolic references; nil when the reference does not exist.
    func referenceTarget(_ name: String) throws(GitSourceError) -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try Libgit2.check(result, "git_reference_name_to_id", doing: "cannot read reference \(name)")
        return ObjectID(oid)
    }

    /// The target name of a symbolic reference (`HEAD` -> `refs/heads/main`); nil when missing or direct.
    func symbolicTarget(_ name: String) throws(GitSourceError) -> String? {
        guard let reference = try Reference.lookup(self, name: name) else { return nil }
        return reference.symbolicTarget
    }

    /// Peels the object a reference name points to (an annotated tag, say) down to a commit id.
    func peelToCommit(_ name: String) throws(GitSourceError) -> ObjectID? {
        guard let reference = try Reference.lookup(self, name: name) else { return nil }
        return try reference.peeledCommitID(repository: self)
    }

    /// Creates or moves a direct reference. With `expected`, the move happens only if the reference still points
    /// there (compare-and-swap), so a concurrent change is reported instead of overwritten.
    func setReference(_ name: String, to oid: ObjectID, expected: ObjectID?, message: String) throws(GitSourceError) {
        var out: OpaquePointer?
        var target = oid.raw
        let result: Int32
        if var expected = expected?.raw {
            result = git_reference_create_matching(&out, pointer, name, &target, 1, &expected, message)
        } else {
            result = git_reference_create(&out, pointer, name, &target, 1, message)
        }
        if let out { git_reference_free(out) }
        try Libgit2.check(result, "git_reference_create", doing: "cannot update \(name)")
    }

    /// Creates or replaces a symbolic reference.
    func setSymbolicReference(_ name: String, to target: String) throws(GitSourceError) {
        var out: OpaquePointer?
        let result = git_reference_symbolic_create(&out, pointer, name, target, 1, "gitopsd: remote HEAD")
        if let out { git_reference_free(out) }
        try Libgit2.check(result, "git_reference_symbolic_create", doing: "cannot set \(name) to \(target)")
    }

    /// Deletes a reference; a missing reference is not an error.
    func removeReference(_ name: String) throws(GitSourceError) {
        let result = git_reference_remove(pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return }
        try Libgit2.check(result, "git_reference_remove", doing: "cannot delete \(name)")
    }

    // MARK: Objects

    /// Looks up a commit; nil when the object database has no such commit.
    func commit(_ oid: ObjectID) throws(GitSourceError) -> CommitObject? {
        try CommitObject.lookup(self, oid)
    }

    /// Looks up a commit by a unique abbreviated id.
    func commit(prefix: String) throws(GitSourceError) -> CommitObject? {
        try CommitObject.lookup(self, prefix: prefix)
    }

    /// Whether `descendant` has `ancestor` in its history (a commit is not its own descendant).
    func isDescendant(_ descendant: ObjectID, of ancestor: ObjectID) throws(GitSourceError) -> Bool {
        var d = descendant.raw
        var a = ancestor.raw
        let result = git_graph_descendant_of(pointer, &d, &a)
        try Libgit2.check(result, "git_graph_descendant_of", doing: "cannot compare history")
        return result == 1
    }

    /// The directory holding the object database (`objects/`), shared by linked worktrees; nil when libgit2
    /// cannot name one (a repository with an in-memory or custom object backend).
    var objectsDirectory: String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_repository_item_path(&buffer, pointer, GIT_REPOSITORY_ITEM_OBJECTS) >= 0, let path = buffer.ptr
        else { return nil }
        return String(cString: path)
    }

    /// The object database, for reading blob sizes and contents without loading objects twice.
    func objectDatabase() throws(GitSourceError) -> ObjectDatabase {
        try ObjectDatabase.open(self)
    }
}
