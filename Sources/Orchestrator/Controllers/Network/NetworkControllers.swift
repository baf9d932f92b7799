public import API
import Foundation
public import Logging

/// Service networking for one machine: the Endpoints, Service and Ingress controllers together with the data
/// plane they drive (`ServiceProxy`, `IngressServer`), wired to the store with one call.
///
/// ```swift
/// let network = try NetworkControllers(store: store)              // defaults: see Configuration
/// try await network.start()                                       // optional: fail fast if 8080 is taken
/// let kubelet = Kubelet(store: store, configuration: .init(dataDirectory: dir,
///                                                          beforeTerminate: network.beforeTerminateHook))
/// let task = Task { await network.run() }                         // until shutdown() or cancellation
/// ...
/// await network.shutdown()                                        // listeners closed; final
/// await task.value
/// ```
///
/// - The **Endpoints controller** keeps an `Endpoints` object per Service with a selector: ready pods (their
///   host ports, resolved through `gitopsd.io/ports`) and not-ready pods.
/// - The **Service controller** allocates cluster IPs (`serviceCIDR`) and node ports (`nodePortRange`), restored
///   from the store at start, and runs a TCP proxy per Service port on `clusterIP:port` and
///   `nodeAddress:nodePort`.
/// - The **Ingress controller** routes the Ingresses of its classes through the `IngressServer` on
///   `ingressAddress` (and HTTPS with the Ingresses' TLS Secrets on `ingressTLSAddress`).
/// - `beforeTerminate(_:)` is the kubelet's hook: it takes a pod out of every table at once and drains its
///   connections, so the pod's SIGTERM comes after it stopped getting new requests.
///
/// Errors that concern one object (an address conflict, a port that cannot be bound, a bad TLS Secret) go to
/// that object's events and status, never stop the controllers. See docs/network.md.
public final class NetworkControllers: Sendable {
    /// Addresses, classes and timings; the defaults suit the daemon.
    public struct Configuration: Sendable {
        /// The range cluster IPs are allocated from. Default `127.10.0.0/16` (loopback: bindable without setup).
        public var serviceCIDR: String
        /// The range node ports are allocated from. Default 30000–32767.
        public var nodePortRange: ClosedRange<Int>
        /// This node's address: node port listeners bind it, LoadBalancer Services report it. Default `127.0.0.1`.
        public var nodeAddress: String
        /// The Ingress HTTP listener. Default `127.0.0.1:8080`; port 0 picks a free port.
        public var ingressAddress: HostPort
        /// The Ingress HTTPS listener, `nil` for none. Default `127.0.0.1:8443`.
        public var ingressTLSAddress: HostPort?
        /// The Ingress class handled here. Default `gitopsd`; Ingresses without a class are handled too.
        public var ingressClass: String
        /// Further classes handled as ours. Default `nginx`, so manifests written for ingress-nginx work as they are.
        public var additionalIngressClasses: Set<String>
        /// Limits of the Ingress server (its addresses are taken from `ingressAddress` and `ingressTLSAddress`).
        public var ingressServer: IngressServer.Configuration
        /// Settings of the Service proxies.
        public var serviceProxy: ServiceProxy.Configuration
        /// How long the termination hook waits for a pod's open connections and requests to finish. Default 10 s.
        public var drainTimeout: Duration
        /// How long the termination hook waits for tables without the pod to be in place. Default 2 s.
        public var tableSyncTimeout: Duration
        /// Wait before binding again a Service listener (or the Ingress listener) that failed. Default 5 s.
        public var bindRetryInterval: Duration
        /// Keys each controller works on at once. Default 2.
        public var workers: Int
        /// Retry back-off of failed reconciles.
        public var queue: WorkQueue<ObjectKey>.Configuration

        public init(
            serviceCIDR: String = ClusterIPAllocator.defaultCIDR,
            nodePortRange: ClosedRange<Int> = NodePortAllocator.defaultRange, nodeAddress: String = "127.0.0.1",
            ingressAddress: HostPort = HostPort(host: "127.0.0.1", port: 8080),
            ingressTLSAddress: HostPort? = HostPort(host: "127.0.0.1", port: 8443), ingressClass: String = "gitopsd",
            additionalIngressClasses: Set<String> = ["nginx"],
            ingressServer: IngressServer.Configuration = IngressServer.Configuration(),
            serviceProxy: ServiceProxy.Configuration = ServiceProxy.Configuration(),
            drainTimeout: Duration = .seconds(10), tableSyncTimeout: Duration = .seconds(2),
            bindRetryInterval: Duration = .seconds(5), workers: Int = 2,
            queue: WorkQueue<ObjectKey>.Configuration = WorkQueue<ObjectKey>.Configuration()
        ) {
            self.serviceCIDR = serviceCIDR
            self.nodePortRange = nodePortRange
            self.nodeAddress = nodeAddress
            self.ingressAddress = ingressAddress
            self.ingressTLSAddress = ingressTLSAddress
            self.ingressClass = ingressClass
            self.additionalIngressClasses = additionalIngressClasses
            self.ingressServer = ingressServer
            self.serviceProxy = serviceProxy
            self.drainTimeout = drainTimeout
            self.tableSyncTimeout = tableSyncTimeout
            self.bindRetryInterval = bindRetryInterval
            self.workers = workers
            self.queue = queue
        }
    }

    public let configuration: Configuration
    /// The Service proxies (kube-proxy's part).
    public let serviceProxy: ServiceProxy
    /// The Ingress router.
    public let ingressServer: IngressServer

    let informers: NetworkInformers
    /// The informers these controllers made for themselves, when they were not given the process's.
    private let ownInformers: SharedInformers?
    let terminating = TerminatingPods()
    let endpointsController: EndpointsController
    let serviceController: ServiceController
    let ingressController: IngressController
    private let stop = StopSignal()
    private let logger: Logger

    /// Creates the controllers and the data plane; nothing listens or watches until `start()`/`run()`.
    /// - Parameters:
    ///   - store: Where Services, Endpoints, Pods, Ingresses and Secrets live.
    ///   - informers: The process's informers; `nil` makes (and runs) a set of its own.
    ///   - configuration: Addresses, classes, timings.
    ///   - logger: Failures at info, the rest at debug; silent when `nil`.
    /// - Throws: `NetworkError` `.invalidArgument` for a malformed `serviceCIDR` or `nodePortRange`.
    public init(
        store: any ObjectStore, informers: SharedInformers? = nil, configuration: Configuration = Configuration(),
        logger: Logger? = nil
    ) throws(NetworkError) {
        self.configuration = configuration
        let logger = logger ?? Logger(label: "gitopsd.network", factory: { _ in SwiftLogNoOpLogHandler() })
        self.logger = logger
        let allocations = ServiceAllocations(
            clusterIPs: try ClusterIPAllocator(cidr: configuration.serviceCIDR),
            nodePorts: try NodePortAllocator(range: configuration.nodePortRange))
        var serverConfiguration = configuration.ingressServer
        serverConfiguration.httpAddress = configuration.ingressAddress
        serverConfiguration.httpsAddress = configuration.ingressTLSAddress
        serviceProxy = ServiceProxy(configuration: configuration.serviceProxy)
        ingressServer = IngressServer(configuration: serverConfiguration)
        ownInformers = informers == nil ? SharedInformers(store: store, logger: logger) : nil
        self.informers = NetworkInformers(informers ?? ownInformers!)
        endpointsController = EndpointsController(
            store: store, informers: self.informers, terminating: terminating, workers: configuration.workers,
            queue: configuration.queue, logger: logger)
        serviceController = ServiceController(
            store: store, informers: self.informers, terminating: terminating, proxy: serviceProxy,
            allocations: allocations, nodeAddress: configuration.nodeAddress,
            bindRetryInterval: configuration.bindRetryInterval, workers: configuration.workers,
            queue: configuration.queue, logger: logger)
        let host = configuration.ingressAddress.host
        let statusAddress = ["", "0.0.0.0", "::"].contains(host) ? configuration.nodeAddress : host
        ingressController = IngressController(
            store: store, informers: self.informers, terminating: terminating, server: ingressServer,
            classes: configuration.additionalIngressClasses.union([configuration.ingressClass]),
            statusAddress: statusAddress, workers: configuration.workers, queue: configuration.queue,
            logger: logger)
    }

    /// Binds the Ingress listeners now (`run()` does it too, retrying), so a daemon can fail fast when the
    /// address is taken.
    /// - Returns: The bound addresses (real ports when 0 was configured).
    /// - Throws: `NetworkError` `.bindFailed`.
    @discardableResult
    public func start() async throws(NetworkError) -> IngressServer.BoundAddresses {
        try await ingressServer.start()
    }

    /// Watches the store and keeps the data plane in line with it until `shutdown()` is called or the task is
    /// cancelled. Binds the Ingress listeners if `start()` did not, retrying every `bindRetryInterval`.
    public func run() async {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.ownInformers?.run(); return false
            }
            group.addTask {
                await self.endpointsController.run(); return false
            }
            group.addTask {
                await self.serviceController.run(); return false
            }
            group.addTask {
                await self.ingressController.run(); return false
            }
            group.addTask {
                await self.keepIngressListening(); return false
            }
            group.addTask {
                await self.stop.wait(); return true
            }
            while let stopped = await group.next() {
                if stopped || Task.isCancelled { break }
            }
            group.cancelAll()
        }
    }

    /// Ends `run()` and closes every listener and proxied connection. Final: the controllers cannot run again.
    public func shutdown() async {
        stop.fire()
        await serviceProxy.shutdown()
        await ingressServer.shutdown()
    }

    /// The termination hook for `Kubelet.Configuration.beforeTerminate`.
    public var beforeTerminateHook: @Sendable (Pod) async -> Void {
        { [self] pod in await self.beforeTerminate(pod) }
    }

    /// Takes a pod out of rotation before it is signalled: its addresses leave the Endpoints, the Service proxy
    /// table and the Ingress endpoint table at once (bounded by `tableSyncTimeout`), then its host ports are
    /// drained in the Service proxies and the Ingress server — no new connections or requests, and the open ones
    /// may finish (bounded by `drainTimeout`). After `shutdown()` it returns at once; shut the kubelet down first
    /// so its pods are still drained.
    public func beforeTerminate(_ pod: Pod) async {
        guard let uid = pod.metadata.uid, !uid.isEmpty else { return }
        terminating.insert(uid)
        guard !stop.isFired else { return }  // shut down: nothing listens any more
        var ports = Set(PodPorts(pod: pod)?.bindings.map { HostPort(host: $0.hostIP, port: $0.hostPort) } ?? [])
        for endpoints in informers.endpoints.list(namespace: pod.metadata.namespace) {
            ports.formUnion(endpoints.addresses(ofPod: uid))
        }
        let timeout = configuration.tableSyncTimeout
        async let proxyTable: Void = serviceController.syncProxyNow(timeout: timeout)
        async let ingressTables: Void = ingressController.syncTablesNow(timeout: timeout)
        await endpointsController.enqueueServices(selecting: pod)
        _ = await (proxyTable, ingressTables)

        let drainTimeout = configuration.drainTimeout
        let proxy = serviceProxy
        let server = ingressServer
        await withDiscardingTaskGroup { group in
            for port in ports {
                group.addTask { await proxy.drain(port, timeout: drainTimeout) }
                group.addTask { await server.drain(port, timeout: drainTimeout) }
            }
        }
        logger.debug(
            "pod drained", metadata: ["object.key": "\(pod.key)", "pod.ports": "\(ports.sorted().map(\.description))"])
    }

    private func keepIngressListening() async {
        while !Task.isCancelled && !stop.isFired {
            if ingressServer.boundAddresses != nil {
                await stop.wait()
                return
            }
            do {
                let bound = try await ingressServer.start()
                logger.info("ingress listening", metadata: ["ingress.address": "\(bound.http)"])
            } catch {
                logger.info("ingress cannot listen; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: configuration.bindRetryInterval)
            }
        }
    }
}

/// Fired once; `wait()` returns when it is, or when the waiting task is cancelled.
final class StopSignal: Sendable {
    private struct State {
        var fired = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Locked(State())

    var isFired: Bool { state.withLock { $0.fired } }

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.fired = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.fired || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
