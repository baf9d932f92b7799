import API
import Foundation
import Orchestrator
import Testing

@Suite struct GarbageCollectionTests {
    @Test func backgroundDeleteRemovesDependentsAfterTheOwner() async throws {
        let store = try makeStore()
        let owner = try await store.create(deployment("web")).object
        let replicaSet = try await store.create(object("ReplicaSet", "web-1", owners: [owner])).object
        _ = try await store.create(object("Pod", "web-1-a", owners: [replicaSet]))
        _ = try await store.create(object("Pod", "web-1-b", owners: [replicaSet]))
        _ = try await store.create(object("Pod", "unrelated"))
        let stream = try await store.watch(.all, from: nil)
        _ = try await store.delete(ObjectKey(kind: "Deployment", namespace: "default", name: "web"))
        let events = try await take(4, from: stream)
        #expect(events.map(\.type) == [.deleted, .deleted, .deleted, .deleted])
        #expect(events.map(\.key.name) == ["web", "web-1", "web-1-a", "web-1-b"])
        #expect(try await store.list(kind: "Pod").items.map(\.name) == ["unrelated"])
        #expect(try await store.list(kind: "ReplicaSet").items.isEmpty)
    }

    @Test func foregroundDeletesDependentsFirst() async throws {
        let store = try makeStore()
        let owner = try await store.create(deployment("web")).object
        _ = try await store.create(object("ReplicaSet", "web-1", owners: [owner]))
        let stream = try await store.watch(.all, from: nil)
        _ = try await store.delete(
            ObjectKey(kind: "Deployment", namespace: "default", name: "web"),
            options: DeleteOptions(propagation: .foreground))
        #expect(try await take(2, from: stream).map(\.key.name) == ["web-1", "web"])
    }

    @Test func orphanKeepsDependentsWithoutTheReference() async throws {
        let store = try makeStore()
        let owner = try await store.create(deployment("web")).object
        _ = try await store.create(object("ReplicaSet", "web-1", owners: [owner]))
        _ = try await store.delete(
            ObjectKey(kind: "Deployment", namespace: "default", name: "web"),
            options: DeleteOptions(propagation: .orphan))
        let orphan = try await store.get(ObjectKey(kind: "ReplicaSet", namespace: "default", name: "web-1"))
        #expect(orphan[path: ["metadata", "ownerReferences"]] == nil)
        #expect(orphan.generation == 1)
        #expect(try await store.collectGarbage() == 0)
    }

    @Test func dependentWithAnotherLivingOwnerLosesOnlyTheDanglingReference() async throws {
        let store = try makeStore()
        let first = try await store.create(deployment("a")).object
        let second = try await store.create(deployment("b")).object
        _ = try await store.create(object("ConfigMap", "shared", owners: [first, second]))
        _ = try await store.delete(ObjectKey(kind: "Deployment", namespace: "default", name: "a"))
        let shared = try await store.get(ObjectKey(kind: "ConfigMap", namespace: "default", name: "shared"))
        #expect(shared[path: ["metadata", "ownerReferences"]]?.arrayValue?.count == 1)
        _ = try await store.delete(ObjectKey(kind: "Deployment", namespace: "default", name: "b"))
        #expect(try await store.list(kind: "ConfigMap").items.isEmpty)
    }

    @Test func collectorPassDeletesObjectsWhoseOwnersNeverExisted() async throws {
        let store = try makeStore()
        let ghost: Value = [
            "kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": ["name": "ghost", "uid": "00000000-0000-0000-0000-000000000000"],
        ]
        _ = try await store.create(object("ReplicaSet", "stray", owners: [ghost]))
        #expect(try await store.collectGarbage() == 1)
        #expect(try await store.list(kind: "ReplicaSet").items.isEmpty)
    }

    @Test func deletingANamespaceDeletesItsContents() async throws {
        let store = try makeStore()
        _ = try await store.create(namespace("team"))
        let owner = try await store.create(deployment("web", namespace: "team")).object
        _ = try await store.create(object("ReplicaSet", "web-1", namespace: "team", owners: [owner]))
        _ = try await store.create(configMap("settings", namespace: "team"))
        _ = try await store.create(configMap("kept"))
        try await store.recordEvent(
            ObjectEvent(
                involvedObject: ObjectKey(kind: "Deployment", namespace: "team", name: "web"), reason: "R", message: "m"
            ))
        let stream = try await store.watch(.all, from: nil)
        _ = try await store.delete(ObjectKey(kind: "Namespace", name: "team"))
        let events = try await take(4, from: stream)
        #expect(events.last?.key == ObjectKey(kind: "Namespace", name: "team"))
        #expect(Set(events.dropLast().map(\.key.name)) == ["web", "web-1", "settings"])
        #expect(try await store.list(ObjectFilter(namespace: "team")).items.isEmpty)
        #expect(try await store.list(kind: "ConfigMap").items.map(\.name) == ["kept"])
        #expect(
            await storeErrorCode { _ = try await store.create(configMap("late", namespace: "team")) }
                == .namespaceNotFound)
    }
}
