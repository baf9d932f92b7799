import CGit2

/// Owns one `git_odb` handle; freed in `deinit`.
///
/// Blobs are read through the object database rather than `git_blob_lookup` so that a blob's size can be
/// checked from its header before the whole object is inflated into memory.
final class ObjectDatabase {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_odb_free(pointer)
    }

    static func open(_ repository: Repository) throws(GitSourceError) -> ObjectDatabase {
        var out: OpaquePointer?
        let result = git_repository_odb(&out, repository.pointer)
        try Libgit2.check(result, "git_repository_odb", doing: "cannot open the object database")
        guard let out else { throw GitSourceError(.failed, "no object database", call: "git_repository_odb") }
        return ObjectDatabase(pointer: out)
    }

    /// The size of an object in bytes, read from its header only.
    func size(of oid: ObjectID) throws(GitSourceError) -> Int {
        var length = 0
        var type = GIT_OBJECT_INVALID
        var id = oid.raw
        let result = git_odb_read_header(&length, &type, pointer, &id)
        try Libgit2.check(result, "git_odb_read_header", doing: "cannot read object \(oid.hex)")
        return length
    }

    /// The full contents of an object.
    func read(_ oid: ObjectID) throws(GitSourceError) -> [UInt8] {
        var out: OpaquePointer?
        var id = oid.raw
        let result = git_odb_read(&out, pointer, &id)
        try Libgit2.check(result, "git_odb_read", doing: "cannot read object \(oid.hex)")
        guard let out else { throw GitSourceError(.failed, "missing object", call: "git_odb_read") }
        defer { git_odb_object_free(out) }
        let size = git_odb_object_size(out)
        guard size > 0, let data = git_odb_object_data(out) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    }
}
