import API
import Foundation
import Logging

/// Gives Services their addresses and runs their proxies — the API server's IP and node port allocators plus
/// kube-proxy, for one machine.
///
/// Two kinds of keys go through one work queue (so neither is ever worked on twice at once):
///
/// - **A Service** (level-triggered, idempotent): `ServiceAllocations` confirms or allocates its cluster IP
///   (ClusterIP, NodePort and LoadBalancer types; headless and ExternalName get none) and, for NodePort and
///   LoadBalancer, a node port per port. New values are written to `spec.clusterIP`/`clusterIPs` and
///   `spec.ports[].nodePort`. Status: the conditions `ClusterIPAllocated`, `NodePortsAllocated` and
///   `ProxyListening` (`False` with the reason on a conflict or a bind failure, with a Warning event when it
///   becomes so), and `loadBalancer.ingress[{ip: node address}]` for LoadBalancer Services.
/// - **The proxy table**: every Service port with an allocation becomes a listener on `clusterIP:port` and, with
///   a node port, on `nodeAddress:nodePort`, forwarding to the ready addresses of the Service's Endpoints
///   (pods being terminated left out) with its session affinity; `ServiceProxy.apply` gets the whole table.
///   Bind failures go to the Service's status (its key is queued) and the table is applied again after
///   `bindRetryInterval`.
///
/// Allocations live in memory and in the Services' specs only: before the first key is worked on, `run()`
/// marks what the Services in the store already hold (oldest first), so a restart hands out nothing twice.
final class ServiceController: Sendable {
    enum Work: Hashable, Sendable {
        case service(ObjectKey)
        case proxy
    }

    /// What the last applied proxy table did for one Service.
    struct ProxyResult: Hashable, Sendable {
        var uid: String
        /// One message per listener that could not bind.
        var failures: [String]
    }

    struct State {
        var allocations: ServiceAllocations
        var proxyResults: [ObjectKey: ProxyResult] = [:]
    }

    static let source = "service-controller"

    let store: any ObjectStore
    let informers: NetworkInformers
    let terminating: TerminatingPods
    let proxy: ServiceProxy
    let nodeAddress: String
    let bindRetryInterval: Duration
    let controller: Controller<Work>
    let passes = PassCounter()
    let state: Locked<State>
    let eventMemory = EventMemory()
    let logger: Logger

    init(
        store: any ObjectStore, informers: NetworkInformers, terminating: TerminatingPods, proxy: ServiceProxy,
        allocations: ServiceAllocations, nodeAddress: String, bindRetryInterval: Duration, workers: Int,
        queue: WorkQueue<ObjectKey>.Configuration, logger: Logger
    ) {
        self.store = store
        self.informers = informers
        self.terminating = terminating
        self.proxy = proxy
        self.nodeAddress = nodeAddress
        self.bindRetryInterval = bindRetryInterval
        self.logger = logger
        self.state = Locked(State(allocations: allocations))
        controller = Controller(
            name: "services",
            configuration: .init(
                workers: workers, queue: .init(baseDelay: queue.baseDelay, maximumDelay: queue.maximumDelay)),
            logger: logger)
        informers.synced(before: controller)
        controller.watches(informers.services) { event in [.service(event.object.key), .proxy] }
        controller.watches(informers.endpoints) { _ in [.proxy] }
    }

    var queue: WorkQueue<Work> { controller.queue }

    /// Restores the allocations from the store, then runs the workers until the task is cancelled; the
    /// informers must be running.
    func run() async {
        await controller.waitUntilSynced()
        let services = informers.services.list()
        state.withLock { $0.allocations.restore(services) }
        await controller.enqueue(.proxy)
        for service in services { await controller.enqueue(.service(service.key)) }
        await controller.run { work in
            switch work {
            case .service(let key): try await self.reconcile(key)
            case .proxy: await self.syncProxy()
            }
        }
    }

    /// Applies a proxy table built after this call, waiting at most `timeout` (the pod-termination hook).
    func syncProxyNow(timeout: Duration) async {
        let pass = passes.nextPass()
        await queue.add(.proxy)
        await passes.wait(forPass: pass, timeout: timeout)
    }

    // MARK: One Service

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let entry = informers.services.entry(key) else {
            state.withLock { state in
                state.allocations.release(key)
                state.proxyResults[key] = nil
            }
            eventMemory.forget(key: "\(key)")
            await queue.add(.proxy)
            // What it held may be what another Service asked for in vain.
            for waiting in informers.services.list()
            where waiting.status.conditions.contains(where: {
                ["ClusterIPAllocated", "NodePortsAllocated"].contains($0.type) && $0.status == "False"
            }) {
                await queue.add(.service(waiting.key))
            }
            return .done
        }
        let service = entry.object
        let (outcome, proxyResult) = state.withLock { state in
            (state.allocations.allocate(for: service), state.proxyResults[key])
        }
        await queue.add(.proxy)  // the proxy table follows the allocations

        if let result = try await store.edit(
            key, uid: service.metadata.uid,
            { value in
                Self.writeAllocations(outcome, into: &value)
            })
        {
            await informers.services.waitUntilObserved(result.revision)
        }

        let unsupported = service.spec.ports.filter { !$0.isTCP }.map { "\($0.identifier)/\($0.protocol ?? "")" }
        let problems: Set<String> =
            unsupported.isEmpty || service.serviceType == "ExternalName"
            ? [] : ["Service ports \(unsupported.joined(separator: ", ")) are not proxied: only TCP is supported"]
        for message in eventMemory.update(key: "\(key)", uid: service.metadata.uid ?? "", current: problems) {
            await store.record(key, .warning, "UnsupportedProtocol", message, source: Self.source)
        }

        let now = Date()
        var status = service.status
        let proxied = outcome.clusterIP != nil || !outcome.nodePorts.isEmpty
        var warnings: [(reason: String, message: String)] = []
        func set(_ type: String, _ ok: Bool, _ reason: String, _ message: String, event: String) {
            let previous = Conditions.get(status.conditions, type)
            let changed = Self.setCondition(
                &status.conditions, type, ok ? "True" : "False", reason: reason, message: message, now: now)
            if changed, !ok, previous?.status != "False" || previous?.message != message {
                warnings.append((event, message))
            }
        }
        if service.serviceType == "ExternalName" || service.isHeadless {
            for type in ["ClusterIPAllocated", "NodePortsAllocated", "ProxyListening"] {
                Conditions.remove(&status.conditions, type)
            }
        } else {
            if let error = outcome.clusterIPError {
                set("ClusterIPAllocated", false, Self.reason(error), error.message, event: "ClusterIPAllocationFailed")
            } else if let address = outcome.clusterIP {
                set("ClusterIPAllocated", true, "Allocated", "\(address)", event: "")
            }
            if !outcome.wantsNodePorts {
                Conditions.remove(&status.conditions, "NodePortsAllocated")
            } else if !outcome.nodePortErrors.isEmpty {
                set(
                    "NodePortsAllocated", false, "NodePortNotAllocated", outcome.nodePortErrors.joined(separator: "; "),
                    event: "NodePortAllocationFailed")
            } else {
                let ports = outcome.nodePorts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                set("NodePortsAllocated", true, "Allocated", ports.joined(separator: ", "), event: "")
            }
            if !proxied {
                Conditions.remove(&status.conditions, "ProxyListening")
            } else if let proxyResult, proxyResult.uid == service.metadata.uid {
                if proxyResult.failures.isEmpty {
                    set("ProxyListening", true, "Listening", "every port has a listener", event: "")
                } else {
                    set(
                        "ProxyListening", false, "BindFailed", proxyResult.failures.joined(separator: "; "),
                        event: "ProxyBindFailed")
                }
            }
        }
        status.loadBalancer =
            service.serviceType == "LoadBalancer" ? ["ingress": [["ip": .string(nodeAddress)]]] : nil

        for warning in warnings {
            await store.record(key, .warning, warning.reason, warning.message, source: Self.source)
        }
        if status != service.status {
            var updated = service
            updated.status = status
            do {
                let result = try await store.writeStatus(entry.value, status: updated.toValue()["status"])
                await informers.services.waitUntilObserved(result.revision)
            } catch let error as StoreError where error.code == .notFound {
                return .done
            }
        }
        return .done
    }

    /// Writes the allocated cluster IP and node ports into a stored Service; `false` when it already has them.
    static func writeAllocations(_ outcome: ServiceAllocations.Outcome, into value: inout Value) -> Bool {
        guard let fresh = try? Service(value) else { return false }
        var changed = false
        if let address = outcome.clusterIP?.description {
            if fresh.spec.clusterIP != address {
                value[path: ["spec", "clusterIP"]] = .string(address)
                changed = true
            }
            if fresh.spec.clusterIPs != [address] {
                value[path: ["spec", "clusterIPs"]] = [.string(address)]
                changed = true
            }
        }
        if var ports = value[path: ["spec", "ports"]]?.arrayValue, ports.count == fresh.spec.ports.count {
            for (index, port) in fresh.spec.ports.enumerated() {
                guard let nodePort = outcome.nodePorts[port.identifier], port.nodePort != nodePort else { continue }
                ports[index]["nodePort"] = .int(Int64(nodePort))
                changed = true
            }
            if changed { value[path: ["spec", "ports"]] = .array(ports) }
        }
        return changed
    }

    /// Sets a condition; the transition time moves only when the status does. Returns whether anything changed.
    @discardableResult
    static func setCondition(
        _ conditions: inout [Condition], _ type: String, _ status: String, reason: String, message: String, now: Date
    ) -> Bool {
        let current = Conditions.get(conditions, type)
        if let current, current.status == status, current.reason == reason, current.message == message {
            return false
        }
        var condition = Condition(type: type, status: status, reason: reason, message: message)
        condition.lastTransitionTime =
            current?.status == status ? current?.lastTransitionTime : Timestamp.format(now)
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            conditions[index] = condition
        } else {
            conditions.append(condition)
        }
        return true
    }

    static func reason(_ error: NetworkError) -> String {
        switch error.code {
        case .alreadyAllocated: "AlreadyAllocated"
        case .outOfRange: "OutOfRange"
        case .rangeExhausted: "RangeExhausted"
        default: "Invalid"
        }
    }

    // MARK: The proxy table

    /// Builds the whole proxy table from the cached Services, their allocations and Endpoints, and applies it.
    func syncProxy() async -> ReconcileResult {
        let pass = passes.begin()
        defer { passes.end(pass) }
        let holdings = state.withLock { $0.allocations.holdings }
        var table: [ServicePortProxySpec] = []
        var owners: [ServicePortKey: (key: ObjectKey, uid: String, listen: HostPort)] = [:]
        var proxied: [ObjectKey: String] = [:]
        for service in informers.services.list() {
            guard let holding = holdings[service.key], holding.uid == service.metadata.uid,
                service.serviceType != "ExternalName"
            else { continue }
            let endpointsKey = ObjectKey(
                kind: Endpoints.resource.kind, namespace: service.metadata.namespace, name: service.metadata.name)
            let endpoints = informers.endpoints.get(endpointsKey)
            let affinity: SessionAffinity =
                service.spec.sessionAffinity == "ClientIP"
                ? .clientIP(
                    timeout: service.spec.sessionAffinityTimeoutSeconds.map { .seconds($0) }
                        ?? SessionAffinity.defaultClientIPTimeout)
                : .none
            proxied[service.key] = holding.uid
            for port in service.spec.ports where port.isTCP && (1...65535).contains(port.port) {
                let targets = endpoints?.readyAddresses(portName: port.name, excluding: terminating) ?? []
                var listeners: [(String, HostPort)] = []
                if let address = holding.clusterIP {
                    listeners.append((port.identifier, HostPort(host: address.description, port: port.port)))
                }
                if let nodePort = holding.nodePorts[port.identifier] {
                    listeners.append(("nodePort/\(port.identifier)", HostPort(host: nodeAddress, port: nodePort)))
                }
                for (name, listen) in listeners {
                    let portKey = ServicePortKey(
                        namespace: service.metadata.namespace, service: service.metadata.name, port: name)
                    table.append(
                        ServicePortProxySpec(
                            key: portKey, listen: listen, endpoints: targets, sessionAffinity: affinity))
                    owners[portKey] = (service.key, holding.uid, listen)
                }
            }
        }

        let statuses = await proxy.apply(table)

        var results: [ObjectKey: ProxyResult] = proxied.mapValues { ProxyResult(uid: $0, failures: []) }
        for (portKey, status) in statuses.sorted(by: { $0.key < $1.key }) {
            guard let owner = owners[portKey], let error = status.error else { continue }
            results[owner.key]?.failures.append("listen \(owner.listen): \(error)")
            logger.info(
                "service proxy cannot listen",
                metadata: ["object.key": "\(owner.key)", "proxy.listen": "\(owner.listen)", "error": "\(error)"])
        }
        let changed = state.withLock { state -> [ObjectKey] in
            let keys = Set(results.keys).union(state.proxyResults.keys)
            let changed = keys.filter { state.proxyResults[$0] != results[$0] }
            state.proxyResults = results
            return Array(changed)
        }
        for key in changed { await queue.add(.service(key)) }
        let failing = results.values.contains { !$0.failures.isEmpty }
        return failing ? .requeue(after: bindRetryInterval) : .done
    }
}
