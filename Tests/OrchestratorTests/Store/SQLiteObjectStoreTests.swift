import API
import Foundation
import Orchestrator
import Testing

@Suite struct SQLiteObjectStoreTests {
    @Test func generateNameGivesEachObjectAFreshName() async throws {
        let store = try makeStore()
        var names = Set<String>()
        for _ in 0..<20 {
            var map = configMap("")
            map[path: ["metadata", "name"]] = nil
            map[path: ["metadata", "generateName"]] = "settings-"
            let created = try await store.create(map).object
            let name = created.name
            #expect(name.hasPrefix("settings-") && name.count == "settings-".count + 5)
            #expect(name.dropFirst("settings-".count).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
            names.insert(name)
        }
        #expect(names.count == 20)
        // A long prefix is cut so the name stays within 63 characters.
        var long = configMap("")
        long[path: ["metadata", "name"]] = nil
        long[path: ["metadata", "generateName"]] = .string(String(repeating: "a", count: 80))
        #expect(try await store.create(long).object.name.count == 63)
        // Neither name nor generateName: refused.
        var nameless = configMap("")
        nameless[path: ["metadata", "name"]] = nil
        #expect(await storeErrorCode { _ = try await store.create(nameless) } == .invalid)
    }

    @Test func writesOfBuiltInKindsPassAdmissionWhoeverMakesThem() async throws {
        let store = try makeStore()
        var invalid = deployment("web")
        invalid[path: ["spec", "replicas"]] = -1
        invalid[path: ["spec", "template", "metadata", "labels", "app"]] = "other"
        do {
            _ = try await store.create(invalid)
            Issue.record("an invalid Deployment was stored")
        } catch let error as StoreError {
            #expect(error.code == .invalid)
            #expect(error.message.contains("spec.replicas"))
            #expect(error.message.contains("spec.template.metadata.labels"))
        }
        let created = try await store.create(deployment("web")).object
        var broken = created
        broken[path: ["spec", "template", "spec", "containers"]] = []
        #expect(await storeErrorCode { _ = try await store.update(broken) } == .invalid)
        invalid[path: ["metadata", "name"]] = "web-2"
        #expect(await storeErrorCode { _ = try await store.commit([.create(invalid)]) } == .invalid)
        #expect(try await store.get(ObjectKey(kind: "Deployment", namespace: "default", name: "web")) == created)
        // Kinds admission does not know are stored as given.
        _ = try await store.create(["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"]])
    }

    @Test func firstOpenCreatesDefaultNamespace() async throws {
        let store = try makeStore()
        let namespace = try await store.get(ObjectKey(kind: "Namespace", name: "default"))
        #expect(namespace[path: ["status", "phase"]] == "Active")
        #expect(try await store.currentRevision() == Revision(1))
    }

    @Test func createSetsServerFields() async throws {
        let store = try makeStore()
        let result = try await store.create(configMap("a"))
        #expect(result.outcome == .created)
        let object = result.object
        #expect(UUID(uuidString: object[path: ["metadata", "uid"]]?.stringValue ?? "") != nil)
        #expect(object.generation == 1)
        #expect(object.resourceVersion == "2")
        #expect(result.revision == Revision(2))
        let timestamp = object[path: ["metadata", "creationTimestamp"]]?.stringValue ?? ""
        #expect(timestamp.count == 20 && timestamp.hasSuffix("Z"))
        #expect(try await store.get(ObjectKey(kind: "ConfigMap", namespace: "default", name: "a")) == object)
    }

    @Test func createDefaultsNamespaceAndRejectsBadInput() async throws {
        let store = try makeStore()
        var noNamespace = configMap("a")
        noNamespace[path: ["metadata", "namespace"]] = nil
        let created = try await store.create(noNamespace)
        #expect(created.object[path: ["metadata", "namespace"]] == "default")
        #expect(await storeErrorCode { _ = try await store.create(configMap("a")) } == .alreadyExists)
        #expect(
            await storeErrorCode { _ = try await store.create(configMap("b", namespace: "nope")) } == .namespaceNotFound
        )
        var withVersion = configMap("c")
        withVersion[path: ["metadata", "resourceVersion"]] = "5"
        #expect(await storeErrorCode { _ = try await store.create(withVersion) } == .invalid)
        #expect(
            await storeErrorCode { _ = try await store.create(["kind": "ConfigMap", "metadata": [:]]) } == .invalid)
    }

    @Test func updateWithPreconditionAndConflict() async throws {
        let store = try makeStore()
        let created = try await store.create(deployment("web")).object
        var change = created
        change[path: ["spec", "replicas"]] = 3
        let updated = try await store.update(change)
        #expect(updated.outcome == .configured)
        #expect(updated.object.generation == 2)
        #expect(updated.object.resourceVersion == "3")
        // The same stale resourceVersion again: conflict.
        change[path: ["spec", "replicas"]] = 4
        #expect(await storeErrorCode { _ = try await store.update(change) } == .conflict)
        // Without a resourceVersion the update is unconditional.
        change[path: ["metadata", "resourceVersion"]] = nil
        #expect(try await store.update(change).object.generation == 3)
        #expect(await storeErrorCode { _ = try await store.update(deployment("missing")) } == .notFound)
    }

    @Test func generationRules() async throws {
        let store = try makeStore()
        var web = try await store.create(deployment("web")).object
        // Labels do not count.
        web[path: ["metadata", "labels"]] = ["tier": "front"]
        web = try await store.update(web).object
        #expect(web.generation == 1)
        // Deployment annotations count, as in Kubernetes.
        web[path: ["metadata", "annotations"]] = ["kubernetes.io/change-cause": "abc"]
        web = try await store.update(web).object
        #expect(web.generation == 2)
        // Other kinds: annotations do not count; data (their desired state) does.
        var config = try await store.create(configMap("c")).object
        config[path: ["metadata", "annotations"]] = ["note": "x"]
        config = try await store.update(config).object
        #expect(config.generation == 1)
        config["data"] = ["k": "changed"]
        config = try await store.update(config).object
        #expect(config.generation == 2)
    }

    @Test func statusIsWrittenSeparately() async throws {
        let store = try makeStore()
        var input = deployment("web")
        input["status"] = ["replicas": 9]
        let created = try await store.create(input).object
        #expect(created["status"] == nil)
        var status = created
        status["status"] = ["replicas": 1, "observedGeneration": 1]
        status[path: ["spec", "replicas"]] = 42  // ignored by a status write
        let afterStatus = try await store.updateStatus(status).object
        #expect(afterStatus.generation == 1)
        #expect(afterStatus[path: ["spec", "replicas"]] == 1)
        #expect(afterStatus[path: ["status", "replicas"]] == 1)
        // A spec update keeps the stored status whatever it carries.
        var spec = afterStatus
        spec["status"] = ["replicas": 100]
        spec[path: ["spec", "replicas"]] = 2
        let afterSpec = try await store.update(spec).object
        #expect(afterSpec[path: ["status", "replicas"]] == 1)
        #expect(afterSpec.generation == 2)
        // A stale resourceVersion conflicts for status too.
        #expect(await storeErrorCode { _ = try await store.updateStatus(status) } == .conflict)
    }

    @Test func noOpUpdateTakesNoRevision() async throws {
        let store = try makeStore()
        let created = try await store.create(configMap("a")).object
        let before = try await store.currentRevision()
        let again = try await store.update(created)
        #expect(again.outcome == .unchanged)
        #expect(again.object == created)
        #expect(try await store.currentRevision() == before)
        #expect(try await store.updateStatus(created).outcome == .unchanged)
        // apply reports created / configured / unchanged.
        #expect(try await store.apply(configMap("b")).outcome == .created)
        #expect(try await store.apply(configMap("b")).outcome == .unchanged)
        #expect(try await store.apply(configMap("b", data: ["k": "2"])).outcome == .configured)
    }

    @Test func deleteWithPreconditions() async throws {
        let store = try makeStore()
        let created = try await store.create(configMap("a")).object
        let key = ObjectKey(kind: "ConfigMap", namespace: "default", name: "a")
        #expect(
            await storeErrorCode {
                _ = try await store.delete(key, options: DeleteOptions(resourceVersion: "1"))
            } == .conflict)
        let deleted = try await store.delete(
            key, options: DeleteOptions(resourceVersion: ResourceVersion(created.resourceVersion)))
        #expect(deleted.outcome == .deleted)
        #expect(deleted.object.resourceVersion == "3")
        #expect(await storeErrorCode { _ = try await store.get(key) } == .notFound)
        #expect(await storeErrorCode { _ = try await store.delete(key) } == .notFound)
        #expect(
            await storeErrorCode { _ = try await store.delete(ObjectKey(kind: "Namespace", name: "default")) }
                == .forbidden)
    }

    @Test func listBySelectorWithRevision() async throws {
        let store = try makeStore()
        _ = try await store.create(namespace("other"))
        _ = try await store.create(configMap("a", labels: ["app": "web", "tier": "front"]))
        _ = try await store.create(configMap("b", labels: ["app": "web", "tier": "back"]))
        _ = try await store.create(configMap("c", labels: ["app": "db"]))
        _ = try await store.create(configMap("d", namespace: "other", labels: ["app": "web"]))
        let web = try await store.list(kind: "ConfigMap", selector: try LabelSelector(parsing: "app=web"))
        #expect(web.items.map(\.name) == ["a", "b", "d"])
        #expect(web.revision == Revision(6))
        let inDefault = try await store.list(
            kind: "ConfigMap", namespace: "default", selector: try LabelSelector(parsing: "app in (web,db),tier!=back"))
        #expect(inDefault.items.map(\.name) == ["a", "c"])
        #expect(try await store.list(kind: "Namespace").items.map(\.name) == ["default", "other"])
    }

    @Test func eventsCountRepeatsAndAreBounded() async throws {
        let store = try makeStore { $0.maxEventsPerObject = 3 }
        _ = try await store.create(deployment("web"))
        let key = ObjectKey(kind: "Deployment", namespace: "default", name: "web")
        for _ in 0..<3 {
            try await store.recordEvent(
                ObjectEvent(involvedObject: key, reason: "ScalingReplicaSet", message: "Scaled up to 1"))
        }
        try await store.recordEvent(ObjectEvent(involvedObject: key, reason: "BackOff", message: "x", type: .warning))
        var events = try await store.events(for: key)
        #expect(events.map(\.reason) == ["ScalingReplicaSet", "BackOff"])
        #expect(events.first?.count == 3)
        #expect(events.last?.type == .warning)
        for index in 0..<5 {
            try await store.recordEvent(ObjectEvent(involvedObject: key, reason: "R\(index)", message: "m"))
        }
        events = try await store.events(for: key)
        #expect(events.map(\.reason) == ["R2", "R3", "R4"])
        _ = try await store.delete(key)
        #expect(try await store.events(for: key).isEmpty)
    }

    @Test func reopenKeepsData() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gitopsd-reopen-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try SQLiteObjectStore(dataDirectory: directory)
            _ = try await store.create(configMap("a"))
        }
        let store = try SQLiteObjectStore(dataDirectory: directory)
        #expect(try await store.get(ObjectKey(kind: "ConfigMap", namespace: "default", name: "a")).name == "a")
        #expect(try await store.currentRevision() == Revision(2))
        #expect(try await store.integrityCheck() == ["ok"])
    }
}
