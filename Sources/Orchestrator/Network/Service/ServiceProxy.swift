import NIOCore
import NIOPosix

/// The Service proxies (kube-proxy's job): one TCP listener per Service port, made to match a desired table.
///
/// Give it the whole desired table with ``apply(_:)``; it starts listeners for new Service ports, swaps the
/// endpoint list and affinity of existing ones in place (established connections are never dropped), restarts a
/// listener whose address changed, and stops listeners whose Service port is gone (their established connections
/// run on until they end). A bind failure is reported for that Service port only and retried on the next apply;
/// the listener is never moved to another address.
///
/// New connections go round-robin over the ready endpoints, or stay on one endpoint per client IP with
/// ``SessionAffinity/clientIP(timeout:)``; with no ready endpoint a new connection is closed at once. When
/// connecting to the chosen endpoint fails, the next one is tried.
public actor ServiceProxy {
    /// Settings for the proxies.
    public struct Configuration: Sendable {
        /// How long to wait for an endpoint to accept a connection before trying the next one. Default 5 s.
        public var connectTimeout: Duration = .seconds(5)
        /// How often ``ServiceProxy/drain(_:timeout:)`` checks whether the endpoint's connections have ended.
        public var drainPollInterval: Duration = .milliseconds(20)
        /// Client connections held at once over every Service listener; more are closed as soon as they are
        /// accepted. Each costs two file descriptors. Default 4096; the daemon sets it from its descriptor budget.
        public var maxConnections = 4096

        public init() {}
    }

    private struct Running {
        var listener: ServicePortListener
        var task: Task<Void, Never>
    }

    private let configuration: Configuration
    private let group: any EventLoopGroup
    /// The connection limit shared by every listener.
    public nonisolated let connections: ConnectionLimit
    private var running: [ServicePortKey: Running] = [:]
    /// Listeners that stopped accepting but still carry connections; kept so ``shutdown()`` can end them.
    private var retired: [ServicePortListener] = []
    private var retiredTasks: [Task<Void, Never>] = []
    private var draining: Set<HostPort> = []
    private var isShutDown = false

    /// Creates the proxy manager with no listeners; connections run on NIO's shared event loop group.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        // Raw TCP has no way to say "too many": every connection over the cap is closed at once.
        self.connections = ConnectionLimit(maximum: configuration.maxConnections, refusalMaximum: 0)
        self.group = MultiThreadedEventLoopGroup.singleton
    }

    /// Makes the listeners match `table` and reports each Service port's outcome.
    ///
    /// - Parameter table: every Service port that should have a proxy; a key listed twice keeps its last entry.
    /// - Returns: the status of every key in `table`: listening (with the bound address) or the bind error.
    @discardableResult
    public func apply(_ table: [ServicePortProxySpec]) async -> [ServicePortKey: ServicePortStatus] {
        var desired: [ServicePortKey: ServicePortProxySpec] = [:]
        for spec in table { desired[spec.key] = spec }
        guard !isShutDown else {
            return desired.mapValues { _ in .failed(NetworkError(.shutDown, "the Service proxy is shut down")) }
        }

        // Stop first, so an address handed from one Service port to another in the same table can be bound.
        let stale = running.filter { key, entry in desired[key]?.listen != entry.listener.requested }.keys
        for key in stale { await retire(key) }

        // Endpoints no longer listed anywhere are no longer draining: their address may come back for a new pod.
        let listed = Set(desired.values.flatMap(\.endpoints))
        if !draining.isSubset(of: listed) {
            draining.formIntersection(listed)
            for entry in running.values { entry.listener.setDraining(draining) }
        }

        var statuses: [ServicePortKey: ServicePortStatus] = [:]
        for key in desired.keys.sorted() {
            guard let spec = desired[key] else { continue }
            if let entry = running[key] {
                entry.listener.update(endpoints: spec.endpoints, affinity: spec.sessionAffinity)
                statuses[key] = .listening(entry.listener.bound)
                continue
            }
            do {
                let listener = try await ServicePortListener.bind(
                    spec, draining: draining, group: group, connectTimeout: configuration.connectTimeout,
                    connections: connections)
                // The actor may have been re-entered while binding; a racing apply for the same key wins.
                if let raced = running[key] {
                    await listener.stopAccepting()
                    statuses[key] = .listening(raced.listener.bound)
                    continue
                }
                let task = Task { await listener.run() }
                running[key] = Running(listener: listener, task: task)
                statuses[key] = .listening(listener.bound)
            } catch {
                statuses[key] = .failed(error)
            }
        }
        return statuses
    }

    /// The bound address of each running listener.
    public var listeners: [ServicePortKey: HostPort] {
        running.mapValues(\.listener.bound)
    }

    /// Stops new connections to `endpoint` on every Service port, then waits until its open connections end.
    ///
    /// The pod-termination path calls this before signalling the pod, after removing it from the endpoints; the
    /// mark is cleared once an applied table no longer lists the endpoint.
    ///
    /// - Returns: `true` when no connection to `endpoint` is open any more, `false` when `timeout` passed first.
    @discardableResult
    public func drain(_ endpoint: HostPort, timeout: Duration = .seconds(30)) async -> Bool {
        draining.insert(endpoint)
        for entry in running.values { entry.listener.setDraining(draining) }
        let deadline = ContinuousClock.now + timeout
        while activeConnections(to: endpoint) > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: configuration.drainPollInterval)
        }
        return true
    }

    /// Open proxied connections to `endpoint`, over all listeners (including stopped ones still carrying traffic).
    public func activeConnections(to endpoint: HostPort) -> Int {
        running.values.reduce(0) { $0 + $1.listener.activeConnections(to: endpoint) }
            + retired.reduce(0) { $0 + $1.activeConnections(to: endpoint) }
    }

    /// The endpoint that `clientIP` is currently pinned to on a Service port with ClientIP affinity.
    public func affinityEndpoint(for key: ServicePortKey, clientIP: String) -> HostPort? {
        running[key]?.listener.affinityEndpoint(for: clientIP)
    }

    /// Stops every listener and ends every proxied connection; later applies report ``NetworkError/Code/shutDown``.
    public func shutdown() async {
        isShutDown = true
        for key in Array(running.keys) { await retire(key) }
        let tasks = retiredTasks
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        retired.removeAll()
        retiredTasks.removeAll()
    }

    private func retire(_ key: ServicePortKey) async {
        guard let entry = running.removeValue(forKey: key) else { return }
        await entry.listener.stopAccepting()
        retired.append(entry.listener)
        retiredTasks.append(entry.task)
        // Forget listeners whose connections have all ended.
        let task = entry.task
        let listener = entry.listener
        Task { [weak self] in
            await task.value
            await self?.forget(listener)
        }
    }

    private func forget(_ listener: ServicePortListener) {
        if let index = retired.firstIndex(where: { $0 === listener }) {
            retired.remove(at: index)
            retiredTasks.remove(at: index)
        }
    }
}
