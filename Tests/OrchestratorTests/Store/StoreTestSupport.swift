import API
import Foundation
import Orchestrator
import Testing

/// A store in a temporary directory with maintenance off and fast polling.
func makeStore(_ configure: (inout SQLiteObjectStore.Configuration) -> Void = { _ in }) throws -> SQLiteObjectStore {
    var configuration = SQLiteObjectStore.Configuration()
    configuration.maintenanceInterval = nil
    configuration.pollInterval = .milliseconds(5)
    configure(&configuration)
    return try SQLiteObjectStore.temporary(configuration: configuration)
}

func configMap(
    _ name: String, namespace: String = "default", labels: [String: String] = [:], data: [String: String] = ["k": "v"]
) -> Value {
    var metadata: Value = ["name": .string(name), "namespace": .string(namespace)]
    if !labels.isEmpty { metadata["labels"] = Value(labels) }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": Value(data)]
}

/// A pod template that passes admission, labelled `app: <name>`.
func podTemplate(_ name: String) -> Value {
    [
        "metadata": ["labels": ["app": .string(name)]],
        "spec": ["containers": [["name": "app", "image": "example/app:1", "command": ["sleep", "1000"]]]],
    ]
}

func deployment(_ name: String, namespace: String = "default", replicas: Int64 = 1, owner: Value? = nil) -> Value {
    var metadata: Value = ["name": .string(name), "namespace": .string(namespace)]
    if let owner { metadata["ownerReferences"] = [ownerReference(owner)] }
    return [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata,
        "spec": [
            "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
            "template": podTemplate(name),
        ],
    ]
}

/// A small object of `kind` (ReplicaSet, Pod or ConfigMap) that passes admission, with these owners.
func object(_ kind: String, _ name: String, namespace: String = "default", owners: [Value] = []) -> Value {
    var metadata: Value = ["name": .string(name), "namespace": .string(namespace)]
    if !owners.isEmpty { metadata["ownerReferences"] = .array(owners.map(ownerReference)) }
    var object: Value = ["apiVersion": "v1", "kind": .string(kind), "metadata": metadata]
    switch kind {
    case "ReplicaSet":
        object["apiVersion"] = "apps/v1"
        object["spec"] = ["selector": ["matchLabels": ["app": .string(name)]], "template": podTemplate(name)]
    case "Pod":
        object["spec"] = podTemplate(name)["spec"]
    default:
        object["data"] = ["k": "v"]
    }
    return object
}

func ownerReference(_ owner: Value) -> Value {
    [
        "apiVersion": owner["apiVersion"] ?? "v1", "kind": owner["kind"] ?? "",
        "name": owner[path: ["metadata", "name"]] ?? "",
        "uid": owner[path: ["metadata", "uid"]] ?? "", "controller": true,
    ]
}

func namespace(_ name: String) -> Value {
    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
}

extension Value {
    var resourceVersion: String { self[path: ["metadata", "resourceVersion"]]?.stringValue ?? "" }
    var generation: Int64 { self[path: ["metadata", "generation"]]?.intValue ?? 0 }
    var name: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
}

func storeErrorCode(_ body: () async throws -> Void) async -> StoreError.Code? {
    do {
        try await body()
        return nil
    } catch let error as StoreError {
        return error.code
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// Takes the next `count` events of a watch, failing after `timeout`.
func take(_ count: Int, from stream: WatchStream, timeout: Duration = .seconds(10)) async throws -> [WatchEvent] {
    try await withThrowingTaskGroup(of: [WatchEvent].self) { group in
        group.addTask {
            var events: [WatchEvent] = []
            var iterator = stream.makeAsyncIterator()
            while events.count < count, let event = try await iterator.next() { events.append(event) }
            return events
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            stream.cancel()
            return []
        }
        let events = try await group.next() ?? []
        group.cancelAll()
        return events
    }
}
