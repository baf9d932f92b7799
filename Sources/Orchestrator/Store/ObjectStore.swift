public import API

/// The durable object store: Kubernetes-shaped objects keyed by kind, namespace and name, one global
/// revision, optimistic concurrency, watch, garbage collection and events.
///
/// This is the seam between the control plane and its storage: `SQLiteObjectStore` is the implementation
/// for one machine (several processes may share a data directory); etcd is the planned second one.
///
/// Objects are untyped `Value`s shaped `apiVersion, kind, metadata, spec, status` (or `data` for ConfigMaps
/// and Secrets). The store owns `metadata.uid`, `creationTimestamp`, `resourceVersion` and `generation`;
/// `status` is written only by `updateStatus`. Every method throws `StoreError` and nothing else.
/// Implementations are safe to call from any task.
public protocol ObjectStore: Sendable {
    /// The revision of the newest change.
    func currentRevision() async throws -> Revision

    /// One object, as stored.
    /// - Throws: `StoreError` `.notFound`.
    func get(_ key: ObjectKey) async throws -> Value

    /// The objects a filter selects, sorted by kind, namespace and name, with the revision they were read at.
    ///
    /// A watch from `ObjectList.revision` continues the list with no gap and no duplicate.
    func list(_ filter: ObjectFilter) async throws -> ObjectList

    /// Stores a new object. `metadata.namespace` defaults to `default` for namespaced kinds; `status` is
    /// dropped (it is written by `updateStatus`).
    /// - Throws: `.alreadyExists`, `.namespaceNotFound`, `.invalid` (no name, or `resourceVersion` set).
    func create(_ object: Value) async throws -> WriteResult

    /// Replaces an object's spec and metadata, keeping its stored status. A non-empty
    /// `metadata.resourceVersion` (or `uid`) in `object` is a precondition; an empty one makes the update
    /// unconditional. An update that changes nothing takes no revision and reports `.unchanged`.
    /// - Throws: `.notFound`, `.conflict`, `.invalid`.
    func update(_ object: Value) async throws -> WriteResult

    /// Replaces only `status` (never bumps `generation`); the rest of `object` is ignored except the
    /// `resourceVersion`/`uid` precondition.
    /// - Throws: `.notFound`, `.conflict`, `.invalid`.
    func updateStatus(_ object: Value) async throws -> WriteResult

    /// Creates the object, or updates it when it exists, in one step (what `gitopsd apply` does).
    func apply(_ object: Value) async throws -> WriteResult

    /// Deletes an object, and its dependents per `options.propagation`; deleting a Namespace deletes
    /// everything in it. Returns the object's last state with the deletion's `resourceVersion`.
    /// - Throws: `.notFound`, `.conflict` (precondition), `.forbidden` (the `default` namespace).
    func delete(_ key: ObjectKey, options: DeleteOptions) async throws -> WriteResult

    /// Makes every write in `writes`, in order, in one transaction: all of them, or — when any one fails (a
    /// precondition, an invalid object, a missing namespace) — none. What the GitOps loop applies a commit with.
    /// - Returns: One result per write, in order.
    /// - Throws: The first failure, as the single write would throw it; nothing is written then.
    func commit(_ writes: [StoreWrite]) async throws -> [WriteResult]

    /// Changes strictly after `revision` (after the current revision when `nil`) that the filter selects,
    /// in revision order. The sequence ends by throwing `.expired` when `revision` was compacted or the
    /// watcher fell more than its buffer behind; the watcher then re-lists.
    func watch(_ filter: ObjectFilter, from revision: Revision?) async throws -> WatchStream

    /// Records an event against an object; an event identical to an earlier one (same object, type,
    /// reason, message) bumps that one's `count` and `lastTimestamp` instead.
    func recordEvent(_ event: ObjectEvent) async throws

    /// The events recorded against an object, oldest first.
    func events(for key: ObjectKey) async throws -> [ObjectEvent]
}

extension ObjectStore {
    /// Deletes an object with background propagation and no precondition.
    @discardableResult
    public func delete(_ key: ObjectKey) async throws -> WriteResult {
        try await delete(key, options: DeleteOptions())
    }

    /// Objects of one kind, in one namespace (`nil`: all) that match a selector.
    public func list(
        kind: String, namespace: String? = nil, selector: LabelSelector = .everything
    ) async throws -> ObjectList {
        try await list(ObjectFilter(kind: kind, namespace: namespace, selector: selector))
    }
}

/// One write of an atomic batch (``ObjectStore/commit(_:)``), with the precondition that makes it safe to decide
/// it from an earlier read.
public enum StoreWrite: Sendable, Hashable {
    /// Creates the object; `.alreadyExists` when it exists (someone created it since it was read as absent).
    case create(Value)
    /// Replaces the object's spec and metadata if it is still at `resourceVersion`; `.conflict` otherwise.
    case update(Value, resourceVersion: ResourceVersion)
    /// Deletes the object (preconditions and propagation in `options`).
    case delete(ObjectKey, options: DeleteOptions)
}

/// Which objects a list or a watch selects; `nil` fields select everything.
public struct ObjectFilter: Sendable, Hashable {
    public var kind: String?
    public var namespace: String?
    public var selector: LabelSelector

    public init(kind: String? = nil, namespace: String? = nil, selector: LabelSelector = .everything) {
        self.kind = kind
        self.namespace = namespace
        self.selector = selector
    }

    /// Everything in the store.
    public static let all = ObjectFilter()

    /// Whether an object with this key and these labels is selected.
    public func matches(_ key: ObjectKey, labels: [String: String]) -> Bool {
        if let kind, kind != key.kind { return false }
        if let namespace, namespace != key.namespace { return false }
        return selector.isEmpty || selector.matches(labels)
    }
}

/// The result of a list: the objects, and the revision the store was at when it read them.
public struct ObjectList: Sendable, Hashable {
    public var items: [Value]
    public var revision: Revision

    public init(items: [Value], revision: Revision) {
        self.items = items
        self.revision = revision
    }
}

/// What a write did, and the object as it is now stored (for a delete: its last state).
public struct WriteResult: Sendable, Hashable {
    /// What happened, as `gitopsd apply` prints it.
    public enum Outcome: String, Sendable, Hashable, Codable {
        case created
        case configured
        case unchanged
        case deleted
    }

    public var outcome: Outcome
    public var object: Value
    /// The object's revision after the write (unchanged writes: its existing one).
    public var revision: Revision

    public init(outcome: Outcome, object: Value, revision: Revision) {
        self.outcome = outcome
        self.object = object
        self.revision = revision
    }
}

/// How a delete treats the object's dependents, and its preconditions.
public struct DeleteOptions: Sendable, Hashable {
    /// What happens to objects whose `ownerReferences` name the deleted object.
    public enum Propagation: String, Sendable, Hashable, Codable {
        /// The owner goes first, then its dependents (the Kubernetes default).
        case background = "Background"
        /// The dependents go first (recursively), then the owner.
        case foreground = "Foreground"
        /// The dependents stay; the owner is removed from their `ownerReferences`.
        case orphan = "Orphan"
    }

    public var propagation: Propagation
    /// Delete only if the object is still at this resource version.
    public var resourceVersion: ResourceVersion?
    /// Delete only if the object has this uid.
    public var uid: String?

    public init(propagation: Propagation = .background, resourceVersion: ResourceVersion? = nil, uid: String? = nil) {
        self.propagation = propagation
        self.resourceVersion = resourceVersion
        self.uid = uid
    }
}
