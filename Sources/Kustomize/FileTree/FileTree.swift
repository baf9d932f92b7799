/// A read-only tree of files, addressed by paths relative to its root (`base/kustomization.yaml`).
///
/// Rendering reads through this instead of the disk because gitopsd renders commits straight from git's
/// object database, without a checkout. Paths use `/`, never start with `/`, and the root is `""`;
/// callers normalise them first, so an implementation never sees `..`.
public protocol FileTree: Sendable {
    /// Whether `path` names a directory (the root `""` always is one).
    func isDirectory(_ path: String) -> Bool
    /// Whether `path` names a regular file.
    func isFile(_ path: String) -> Bool
    /// The names (not paths) of the entries directly inside `directory`, sorted.
    /// - Throws: `KustomizeError` `.notFound` when it is not a directory.
    func entries(in directory: String) throws(KustomizeError) -> [String]
    /// The bytes of the file at `path`.
    /// - Throws: `KustomizeError` `.notFound`, `.syntax` when larger than `limit` bytes, `.outsideRoot`.
    func read(_ path: String, limit: Int) throws(KustomizeError) -> [UInt8]
}
