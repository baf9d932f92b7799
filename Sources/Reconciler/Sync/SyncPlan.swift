public import API

/// What a sync of one revision would do, worked out before anything is written.
public struct SyncPlan: Sendable {
    public var revision: SourceRevision
    /// The objects the commit declares, labelled and annotated as gitopsd writes them.
    public var desired: [ObjectKey: Value]
    /// The objects the source manages now.
    public var live: [ObjectKey: Value]
    /// The ordered changes.
    public var plan: Plan
    /// Manifest warnings (fields kept but not acted on, ...).
    public var warnings: [APIError]

    /// True when live state already matches the commit.
    public var isInSync: Bool { plan.isEmpty }

    /// The unified diff of every change, Secret values masked.
    public func diff(color: Bool = false) -> String {
        plan.changes.map { change in
            ObjectComparison.diff(live: change.live, desired: change.desired, label: change.key.description, color: color)
        }.joined()
    }
}
