public import API

/// The reconciler's one view of the live side: the seam between GitOps and whatever runs the objects.
///
/// Implemented in-process over the embedded orchestrator's store; a client of gitopsd's HTTP API and a real
/// Kubernetes API server are the natural other implementations.
public protocol ClusterClient: Sendable {
    /// Every object labelled as managed by `source`, by key.
    func managedObjects(source: String) async throws -> [ObjectKey: Value]

    /// One live object, or `nil` when it does not exist.
    func get(_ key: ObjectKey) async throws -> Value?

    /// Makes a plan's changes all at once or not at all. Each change is conditional on the state it was planned
    /// from: a create on the object still being absent, an update or delete on its `resourceVersion` being the
    /// one read. A change by anyone else since the plan was read fails the whole commit, so nothing is applied
    /// and the next sync plans again from the new state.
    func commit(_ changes: [Plan.Change]) async throws

    /// The health of the object at `key` as it is now (`Missing` when it does not exist).
    func health(of key: ObjectKey) async throws -> Health
}
