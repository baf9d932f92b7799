import API
import Foundation
import TestSupport
import Testing

@testable import Orchestrator

/// The networking controllers on a real SQLite store, on addresses of their own: a random /24 of 127.0.0.0/8 for
/// cluster IPs, its `.254` as the node address (so node ports never collide with anything else on the machine),
/// and the Ingress on 127.0.0.1 with free ports.
final class NetworkHarness: Sendable {
    let store: SQLiteObjectStore
    let network: NetworkControllers
    let prefix: String
    let bound: IngressServer.BoundAddresses
    private let task: Task<Void, Never>

    /// Starts controllers on a new store, or on `store` (a restart).
    init(
        store existing: SQLiteObjectStore? = nil, prefix existingPrefix: String? = nil, tls: Bool = false,
        configure: (inout NetworkControllers.Configuration) -> Void = { _ in }
    ) async throws {
        if let existing {
            store = existing
        } else {
            var configuration = SQLiteObjectStore.Configuration()
            configuration.maintenanceInterval = nil
            configuration.pollInterval = .milliseconds(5)
            store = try SQLiteObjectStore.temporary(configuration: configuration)
        }
        prefix = existingPrefix ?? "127.\(Int.random(in: 64...250)).\(Int.random(in: 0...255))"
        var configuration = NetworkControllers.Configuration(
            serviceCIDR: "\(prefix).0/24", nodeAddress: "\(prefix).254",
            ingressAddress: HostPort(host: "127.0.0.1", port: 0),
            ingressTLSAddress: tls ? HostPort(host: "127.0.0.1", port: 0) : nil,
            drainTimeout: .seconds(5), bindRetryInterval: .milliseconds(300),
            queue: .init(baseDelay: .milliseconds(5), maximumDelay: .milliseconds(200)))
        configuration.ingressServer.threads = 1
        configure(&configuration)
        network = try NetworkControllers(store: store, configuration: configuration)
        bound = try await network.start()
        let network = self.network
        task = Task { await network.run() }
    }

    var nodeAddress: String { "\(prefix).254" }

    /// Stops the controllers and closes their listeners.
    func stop() async {
        await network.shutdown()
        task.cancel()
        await task.value
    }

    // MARK: Objects

    @discardableResult
    func create<T: KubernetesObject>(_ object: T) async throws -> WriteResult {
        try await store.create(object.toValue())
    }

    func get<T: KubernetesObject>(_ type: T.Type, _ name: String, namespace: String = "default") async -> T? {
        guard let value = try? await store.get(ObjectKey(kind: T.resource.kind, namespace: namespace, name: name))
        else { return nil }
        return try? T(value)
    }

    func events<T: KubernetesObject>(_ type: T.Type, _ name: String) async -> [ObjectEvent] {
        (try? await store.events(for: ObjectKey(kind: T.resource.kind, namespace: "default", name: name))) ?? []
    }

    /// Waits until the object satisfies `condition`; records an issue and returns `nil` when it never does.
    @discardableResult
    func wait<T: KubernetesObject>(
        _ type: T.Type, _ name: String, timeout: Duration = .seconds(60),
        sourceLocation: Testing.SourceLocation = #_sourceLocation,
        _ condition: @escaping (T) -> Bool
    ) async -> T? {
        var last: T?
        let met = await eventually(timeout: timeout) {
            last = await get(type, name)
            return last.map(condition) ?? false
        }
        if !met {
            Issue.record(
                "\(T.resource.kind) \(name) never reached the expected state; last: \(String(describing: last))",
                sourceLocation: sourceLocation)
        }
        return met ? last : nil
    }

    /// Waits until an event with `reason` was recorded on the object.
    @discardableResult
    func waitForEvent<T: KubernetesObject>(
        _ type: T.Type, _ name: String, reason: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async -> ObjectEvent? {
        var found: ObjectEvent?
        let met = await eventually(timeout: .seconds(15)) {
            found = await events(type, name).first { $0.reason == reason }
            return found != nil
        }
        if !met { Issue.record("no \(reason) event on \(name)", sourceLocation: sourceLocation) }
        return found
    }

    /// Writes a pod the way the kubelet leaves it: the `gitopsd.io/ports` annotation for `ports`, then a status
    /// with pod IP 127.0.0.1, phase Running and the Ready condition.
    func createPod(
        _ name: String, labels: [String: String], ports: [(name: String?, containerPort: Int, hostPort: Int)],
        ready: Bool
    ) async throws {
        var container = Container(name: "main", image: "example/app:1")
        container.command = ["sleep", "600"]
        container.ports = ports.map { ContainerPort(name: $0.name, containerPort: $0.containerPort) }
        var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: labels))
        pod.spec.containers = [container]
        pod.metadata.annotations[PodPorts.annotation] =
            PodPorts(
                ports.map {
                    PortBinding(
                        container: "main", name: $0.name, containerPort: $0.containerPort, hostPort: $0.hostPort)
                }
            ).annotationValue
        let created = try await create(pod)
        var stored = try Pod(created.object)
        stored.status.phase = "Running"
        stored.status.podIP = "127.0.0.1"
        stored.status.podIPs = ["127.0.0.1"]
        stored.status.conditions = [Condition(type: "Ready", status: ready ? "True" : "False")]
        _ = try await store.updateStatus(stored.toValue())
    }

    /// Sets a pod's Ready condition.
    func setReady(_ name: String, _ ready: Bool) async throws {
        guard var pod = await get(Pod.self, name) else { throw TestError("no pod \(name)") }
        pod.status.conditions = [Condition(type: "Ready", status: ready ? "True" : "False")]
        _ = try await store.updateStatus(pod.toValue())
    }

    func deletePod(_ name: String) async throws {
        try await store.delete(ObjectKey(kind: "Pod", namespace: "default", name: name))
    }
}

/// A Service selecting `app: <selector>` with the given ports.
func testService(
    _ name: String, selector: String?, ports: [ServicePort], type: String? = nil,
    configure: (inout Service) -> Void = { _ in }
) -> Service {
    var service = Service(metadata: ObjectMeta(name: name, namespace: "default", labels: ["team": "web"]))
    if let selector { service.spec.selector = ["app": selector] }
    service.spec.ports = ports
    service.spec.type = type
    configure(&service)
    return service
}

extension Endpoints {
    /// `pod name → port` of the ready addresses, for the port named `port` (empty: unnamed).
    func ready(_ port: String = "") -> [String: Int] {
        var result: [String: Int] = [:]
        for subset in subsets {
            guard let match = subset.ports.first(where: { ($0.name ?? "") == port }) else { continue }
            for address in subset.addresses { result[address.targetRef?.name ?? "?"] = match.port }
        }
        return result
    }

    /// `pod name → port` of the not-ready addresses.
    func notReady(_ port: String = "") -> [String: Int] {
        var result: [String: Int] = [:]
        for subset in subsets {
            guard let match = subset.ports.first(where: { ($0.name ?? "") == port }) else { continue }
            for address in subset.notReadyAddresses { result[address.targetRef?.name ?? "?"] = match.port }
        }
        return result
    }
}

extension Service {
    func condition(_ type: String) -> Condition? { status.conditions.first { $0.type == type } }
}
