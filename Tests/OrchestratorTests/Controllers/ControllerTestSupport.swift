import API
import Foundation
import Orchestrator
import TestSupport
import Testing

/// Plays the node's part in controller tests: marks every pod `Running` and, when `ready` says so, `Ready`
/// (after `delay`), as the kubelet would. Assertions are on the store's state; this only moves pods along.
struct FakeKubelet: Sendable {
    var ready: @Sendable (Value) -> Bool = { _ in true }
    var delay: Duration = .zero

    /// Watches pods until the task is cancelled.
    func run(_ store: any ObjectStore) async {
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                do {
                    let list = try await store.list(kind: "Pod")
                    for pod in list.items { group.addTask { await self.start(pod, store) } }
                    for try await event in try await store.watch(ObjectFilter(kind: "Pod"), from: list.revision)
                    where event.type == .added {
                        group.addTask { await self.start(event.object, store) }
                    }
                } catch {
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            group.cancelAll()
        }
    }

    private func start(_ pod: Value, _ store: any ObjectStore) async {
        guard pod[path: ["status", "phase"]] == nil else { return }
        if delay > .zero { try? await Task.sleep(for: delay) }
        let isReady = ready(pod)
        let now = Self.timestamp(Date())
        var status: Value = [
            "phase": "Running", "startTime": .string(now),
            "conditions": [
                [
                    "type": "Ready", "status": isReady ? "True" : "False", "lastTransitionTime": .string(now),
                ]
            ],
        ]
        if let containers = pod[path: ["spec", "containers"]]?.arrayValue {
            status["containerStatuses"] = .array(
                containers.map { container in
                    [
                        "name": container["name"] ?? "c", "ready": .bool(isReady), "restartCount": 0,
                        "image": container["image"] ?? "", "imageID": "",
                        "state": ["running": ["startedAt": .string(now)]],
                    ]
                })
        }
        var updated = pod
        updated["status"] = status
        updated[path: ["metadata", "resourceVersion"]] = nil
        _ = try? await store.updateStatus(updated)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

/// A store with both workload controllers and a fake kubelet running for the duration of `body`.
func withControllers(
    store: SQLiteObjectStore? = nil, kubelet: FakeKubelet = FakeKubelet(), replicaSets: Bool = true,
    deployments: Bool = true, _ body: (SQLiteObjectStore) async throws -> Void
) async throws {
    let store = try store ?? makeStore()
    var tasks: [Task<Void, Never>] = []
    if replicaSets {
        let controller = ReplicaSetController(store: store)
        tasks.append(Task { await controller.run() })
    }
    if deployments {
        let controller = DeploymentController(store: store)
        tasks.append(Task { await controller.run() })
    }
    tasks.append(Task { await kubelet.run(store) })
    do {
        try await body(store)
    } catch {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        throw error
    }
    for task in tasks { task.cancel() }
    for task in tasks { await task.value }
}

/// Waits (bounded) until `condition` holds; records a failure with `message` when it never does.
func expectEventually(
    _ message: @autoclosure () -> String, timeout: Duration = .seconds(60),
    sourceLocation: Testing.SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    let held = try await eventually(timeout: timeout, every: .milliseconds(20), condition)
    if !held {
        Issue.record("timed out waiting: \(message())", sourceLocation: sourceLocation)
        throw TimedOut(message: message())
    }
}

/// A bounded wait ran out (the test has already recorded the issue).
struct TimedOut: Error {
    var message: String
}

enum Workloads {
    /// A pod template running `sleep` with the label `app: NAME`, and `version` in an env var (change it to roll).
    static func template(app: String, version: String = "1", extraLabels: [String: String] = [:]) -> Value {
        var labels = ["app": app]
        for (key, value) in extraLabels { labels[key] = value }
        return [
            "metadata": ["labels": Value(labels)],
            "spec": [
                "containers": [
                    [
                        "name": "main", "image": "busybox:1.36", "command": ["sleep", "3600"],
                        "env": [["name": "VERSION", "value": .string(version)]],
                    ]
                ]
            ],
        ]
    }

    static func replicaSet(_ name: String, replicas: Int64, app: String? = nil, minReadySeconds: Int64 = 0) -> Value {
        let app = app ?? name
        var spec: Value = [
            "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(app)]],
            "template": template(app: app),
        ]
        if minReadySeconds > 0 { spec["minReadySeconds"] = .int(minReadySeconds) }
        return [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": ["name": .string(name), "namespace": "default", "labels": ["app": .string(app)]],
            "spec": spec,
        ]
    }

    static func deployment(
        _ name: String, replicas: Int64, version: String = "1", strategy: Value? = nil, minReadySeconds: Int64? = nil,
        progressDeadlineSeconds: Int64? = nil, revisionHistoryLimit: Int64? = nil, annotations: [String: String] = [:]
    ) -> Value {
        var spec: Value = [
            "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
            "template": template(app: name, version: version),
        ]
        if let strategy { spec["strategy"] = strategy }
        if let minReadySeconds { spec["minReadySeconds"] = .int(minReadySeconds) }
        if let progressDeadlineSeconds { spec["progressDeadlineSeconds"] = .int(progressDeadlineSeconds) }
        if let revisionHistoryLimit { spec["revisionHistoryLimit"] = .int(revisionHistoryLimit) }
        var metadata: Value = ["name": .string(name), "namespace": "default"]
        if !annotations.isEmpty { metadata["annotations"] = Value(annotations) }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec]
    }

    static func pod(_ name: String, labels: [String: String]) -> Value {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": "default", "labels": Value(labels)],
            "spec": ["containers": [["name": "main", "image": "busybox:1.36", "command": ["sleep", "3600"]]]],
        ]
    }
}

extension SQLiteObjectStore {
    func pods(_ selector: [String: String] = [:]) async throws -> [Pod] {
        try await list(kind: "Pod", namespace: "default", selector: LabelSelector(matchLabels: selector)).items.map {
            try Pod($0)
        }
    }

    func replicaSets(_ selector: [String: String] = [:]) async throws -> [ReplicaSet] {
        try await list(kind: "ReplicaSet", namespace: "default", selector: LabelSelector(matchLabels: selector)).items
            .map { try ReplicaSet($0) }
    }

    func replicaSet(_ name: String) async throws -> ReplicaSet {
        try ReplicaSet(try await get(ObjectKey(kind: "ReplicaSet", namespace: "default", name: name)))
    }

    func deployment(_ name: String) async throws -> Deployment {
        try Deployment(try await get(ObjectKey(kind: "Deployment", namespace: "default", name: name)))
    }

    /// Edits a stored object (read, change, write with its resourceVersion; retried on conflict).
    @discardableResult
    func modify(_ kind: String, _ name: String, _ change: (inout Value) -> Void) async throws -> Value {
        for _ in 0..<20 {
            var value = try await get(ObjectKey(kind: kind, namespace: "default", name: name))
            change(&value)
            do {
                return try await update(value).object
            } catch let error as StoreError where error.code == .conflict {
                continue
            }
        }
        throw StoreError(.conflict, "gave up after 20 conflicts")
    }
}

extension Pod {
    var ownerUID: String? { metadata.ownerReferences.first { $0.controller == true }?.uid }
    var testIsReady: Bool { status.conditions.contains { $0.type == "Ready" && $0.status == "True" } }
}

/// Follows every pod change in revision order and checks an invariant against each state of the world.
actor PodMonitor {
    private var pods: [String: Pod] = [:]
    private(set) var violations: [String] = []
    private(set) var states = 0
    private let check: @Sendable ([Pod]) -> String?

    init(check: @escaping @Sendable ([Pod]) -> String?) {
        self.check = check
    }

    /// Starts watching; cancel the returned task to stop.
    static func start(_ store: SQLiteObjectStore, check: @escaping @Sendable ([Pod]) -> String?) async throws -> (
        PodMonitor, Task<Void, Never>
    ) {
        let monitor = PodMonitor(check: check)
        let list = try await store.list(kind: "Pod")
        await monitor.load(list.items)
        let stream = try await store.watch(ObjectFilter(kind: "Pod"), from: list.revision)
        let task = Task {
            do {
                for try await event in stream { await monitor.apply(event) }
            } catch {
                await monitor.fail("watch failed: \(error)")
            }
        }
        return (monitor, task)
    }

    private func load(_ items: [Value]) {
        for item in items { if let pod = try? Pod(item) { pods[pod.metadata.name] = pod } }
        evaluate("initial")
    }

    private func apply(_ event: WatchEvent) {
        switch event.type {
        case .added, .modified: pods[event.key.name] = try? Pod(event.object)
        case .deleted: pods[event.key.name] = nil
        }
        evaluate("revision \(event.revision)")
    }

    private func fail(_ message: String) { violations.append(message) }

    private func evaluate(_ label: String) {
        states += 1
        if let problem = check(Array(pods.values)) { violations.append("\(label): \(problem)") }
    }
}

extension Pod {
    var templateHash: String { metadata.labels["pod-template-hash"] ?? "" }
    var version: String? { spec.containers.first?.env.first?.value }
}
