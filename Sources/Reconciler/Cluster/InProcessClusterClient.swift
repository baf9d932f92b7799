public import API
public import Orchestrator

/// `ClusterClient` over the embedded orchestrator's object store, in the same process.
public struct InProcessClusterClient: ClusterClient {
    public let store: any ObjectStore

    public init(store: any ObjectStore) {
        self.store = store
    }

    public func managedObjects(source: String) async throws -> [ObjectKey: Value] {
        let list = try await store.list(ObjectFilter(selector: ManagedBy.selector(source: source)))
        var objects: [ObjectKey: Value] = [:]
        for item in list.items {
            // Objects a controller creates (ReplicaSets, pods, Endpoints) inherit no gitopsd labels from
            // templates that carry them; only kinds a manifest can declare count as managed.
            guard let key = ObjectKey(item), ResourceKind.forKind(key.kind) != nil else { continue }
            if item[path: ["metadata", "ownerReferences"]]?.arrayValue?.isEmpty == false { continue }
            objects[key] = item
        }
        return objects
    }

    public func get(_ key: ObjectKey) async throws -> Value? {
        do {
            return try await store.get(key)
        } catch let error as StoreError where error.code == .notFound {
            return nil
        }
    }

    public func commit(_ changes: [Plan.Change]) async throws {
        let writes = changes.compactMap { change -> StoreWrite? in
            let version = change.live?[path: ["metadata", "resourceVersion"]]?.stringValue.map { ResourceVersion($0) }
            switch change.action {
            case .create:
                return change.desired.map { .create($0) }
            case .update:
                guard let desired = change.desired, let version else { return nil }
                return .update(desired, resourceVersion: version)
            case .delete:
                return .delete(change.key, options: DeleteOptions(resourceVersion: version))
            }
        }
        _ = try await store.commit(writes)
    }

    public func health(of key: ObjectKey) async throws -> Health {
        let object = try await get(key)
        var endpoints: Value?
        if key.kind == "Service" {
            endpoints = try await get(ObjectKey(kind: "Endpoints", namespace: key.namespace, name: key.name))
        }
        return Health.assess(object, endpoints: endpoints)
    }
}
