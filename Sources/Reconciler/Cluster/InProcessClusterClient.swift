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

    public func apply(_ object: Value) async throws {
        _ = try await store.apply(object)
    }

    public func delete(_ key: ObjectKey) async throws {
        do {
            _ = try await store.delete(key)
        } catch let error as StoreError where error.code == .notFound {
            // Already gone: the goal of a delete is met.
        }
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
