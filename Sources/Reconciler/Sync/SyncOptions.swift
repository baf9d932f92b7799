/// How one sync behaves.
public struct SyncOptions: Sendable, Hashable {
    /// Delete managed objects the commit no longer declares.
    public var prune: Bool
    /// Plan only; write nothing.
    public var dryRun: Bool
    /// Accept a commit with no manifests (and so, with `prune`, delete everything the source manages).
    /// Off by default: a mistaken empty commit must not take an app down.
    public var allowEmpty: Bool

    public init(prune: Bool = true, dryRun: Bool = false, allowEmpty: Bool = false) {
        self.prune = prune
        self.dryRun = dryRun
        self.allowEmpty = allowEmpty
    }
}
