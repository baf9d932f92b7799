import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The Ingress router: an HTTP/1.1 reverse proxy (and HTTPS with SNI certificates) in front of Service endpoints.
///
/// Requests are matched by an ``IngressRoutingTable`` to a backend, and sent round-robin to the backend's ready
/// addresses from an ``IngressEndpointTable`` over pooled keep-alive connections, with bodies streamed both ways.
/// All three inputs (routing, endpoints, certificates) are replaced whole at any time and take effect for the
/// next request; in-flight requests finish where they started.
///
/// Answers of its own, each with a one-line text body saying why: 404 when no rule matches, 503 when the backend
/// has no ready endpoint, 502 when no endpoint accepts a connection or the upstream fails before responding, 400
/// for malformed requests or headers over the size limit.
///
/// Lifecycle: ``start()`` binds the listeners, ``shutdown()`` closes them and every connection. A server created
/// without a routing table binds but accepts nothing until ``acceptConnections()``: clients that connect meanwhile
/// wait in the listen backlog rather than getting 404s from an empty table (after a daemon restart, until the
/// Ingress controller has rebuilt the tables from the store).
///
/// Limits: at most `maxConnections` client connections at once over both listeners (a few more get a 503, the
/// rest are closed at once; see ``ConnectionLimit``), `headerTimeout` for a request head to arrive (408), `idleTimeout` between requests.
/// The connection
/// handling runs on its own event loops as plain channel handlers (no task hop per request); routing state is
/// read under a lock held only to copy a reference.
public final class IngressServer: Sendable {
    /// Settings for the Ingress server.
    public struct Configuration: Sendable {
        /// The plain HTTP listener. Default `127.0.0.1:8080`; port 0 picks a free port.
        public var httpAddress = HostPort(host: "127.0.0.1", port: 8080)
        /// The HTTPS listener, or `nil` for none. Default `127.0.0.1:8443`.
        public var httpsAddress: HostPort? = HostPort(host: "127.0.0.1", port: 8443)
        /// Largest request head (request line and header fields), in bytes; larger gets 400. Default 32 KiB.
        public var maxHeaderSize = 32 * 1024
        /// How long a client connection may sit without traffic (between requests, or while sending one) before
        /// it is closed; checked once per period, so closing comes one to two periods after the last byte.
        /// Default 60 s.
        public var idleTimeout: Duration = .seconds(60)
        /// How long a request head may take from its first byte to its last; a slower client gets 408 and is closed.
        /// Default 10 s.
        public var headerTimeout: Duration = .seconds(10)
        /// Client connections served at once over both listeners; more are answered 503 and closed (or, past an
        /// eighth more, closed at once). Each one costs two file descriptors while it is proxied. Default 4096; the
        /// daemon sets it from its descriptor budget.
        public var maxConnections = 4096
        /// How long to wait for an upstream to accept a connection before trying the next endpoint. Default 5 s.
        public var connectTimeout: Duration = .seconds(5)
        /// How long an upstream connection may be silent, idle in the pool or while a response is awaited,
        /// before it is closed (one to two periods, as for `idleTimeout`). Default 60 s.
        public var upstreamTimeout: Duration = .seconds(60)
        /// Idle keep-alive connections kept per upstream address and event loop. Default 256.
        public var maxIdleConnectionsPerUpstream = 256
        /// Event loop threads; `nil` uses one per core.
        public var threads: Int? = nil
        /// How often ``IngressServer/drain(_:timeout:)`` checks for remaining in-flight requests.
        public var drainPollInterval: Duration = .milliseconds(20)

        public init() {}
    }

    /// The addresses actually bound by ``start()``.
    public struct BoundAddresses: Sendable, Hashable {
        public var http: HostPort
        public var https: HostPort?
    }

    private struct Listeners {
        var channels: [any Channel] = []
        var bound: BoundAddresses?
        /// Whether the tables are in place, so listeners read (accept) connections.
        var accepting: Bool
    }

    private let configuration: Configuration
    private let shared: IngressSharedState
    private let group: MultiThreadedEventLoopGroup
    private let loopStates: [ObjectIdentifier: IngressLoopState]
    private let listeners: Mutex<Listeners>
    /// The connection limit over both listeners.
    public let connections: ConnectionLimit

    /// Creates a server; nothing listens until ``start()``.
    ///
    /// - Parameter routing: the initial routing table. With one, connections are accepted as soon as the server
    ///   listens; with `nil`, only once ``acceptConnections()`` says the tables are in place.
    public init(
        configuration: Configuration = .init(), routing: IngressRoutingTable? = nil,
        endpoints: IngressEndpointTable = .init(), certificates: IngressCertificateTable = .init()
    ) {
        self.configuration = configuration
        self.connections = ConnectionLimit(maximum: configuration.maxConnections)
        self.listeners = Mutex(Listeners(accepting: routing != nil))
        self.shared = IngressSharedState(
            routing: IngressRoutingSnapshot(routing: routing ?? .init(), endpoints: endpoints, draining: []),
            certificates: certificates)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads ?? System.coreCount))
        var states: [ObjectIdentifier: IngressLoopState] = [:]
        for loop in group.makeIterator() {
            states[ObjectIdentifier(loop)] = IngressLoopState(
                eventLoop: loop, maxIdlePerUpstream: configuration.maxIdleConnectionsPerUpstream)
        }
        self.loopStates = states
        if let certificate = certificates.anyCertificate {
            shared.tlsContext.withLock { $0 = try? Self.makeTLSContext(base: certificate, shared: shared) }
        }
    }

    /// Binds the HTTP listener and, when configured, the HTTPS listener.
    ///
    /// - Returns: the bound addresses (with the real ports when 0 was configured).
    /// - Throws: ``NetworkError/Code/bindFailed`` when a listener cannot bind; nothing is left listening then.
    @discardableResult
    public func start() async throws(NetworkError) -> BoundAddresses {
        if let bound = listeners.withLock({ $0.bound }) { return bound }
        let http = try await bind(configuration.httpAddress, tls: false)
        var https: (any Channel)?
        if let address = configuration.httpsAddress {
            do {
                https = try await bind(address, tls: true)
            } catch {
                try? await http.close()
                throw error
            }
        }
        let bound = BoundAddresses(
            http: HostPort(
                host: configuration.httpAddress.host, port: http.localAddress?.port ?? configuration.httpAddress.port),
            https: https.map { channel in
                HostPort(
                    host: configuration.httpsAddress?.host ?? "", port: channel.localAddress?.port ?? 0)
            })
        let channels = [http] + (https.map { [$0] } ?? [])
        let accepting = listeners.withLock {
            $0.channels = channels
            $0.bound = bound
            return $0.accepting
        }
        if accepting { Self.resumeAccepting(channels) }
        return bound
    }

    /// Starts accepting connections: the tables are in place. Idempotent; connections that arrived since
    /// ``start()`` are accepted now, in order.
    public func acceptConnections() {
        let channels = listeners.withLock { listeners -> [any Channel] in
            guard !listeners.accepting else { return [] }
            listeners.accepting = true
            return listeners.channels
        }
        Self.resumeAccepting(channels)
    }

    private static func resumeAccepting(_ channels: [any Channel]) {
        for channel in channels {
            channel.setOption(.autoRead, value: true).whenSuccess { channel.read() }
        }
    }

    /// The bound addresses, once started.
    public var boundAddresses: BoundAddresses? { listeners.withLock { $0.bound } }

    /// Replaces the routing table; the next request on every connection uses it.
    public func updateRouting(_ routing: IngressRoutingTable) {
        shared.routing.withLock { $0 = $0.replacing(routing: routing) }
    }

    /// Replaces the endpoint table; the next request on every connection uses it. Draining marks of addresses
    /// the new table no longer lists are dropped (a later pod may reuse the address).
    public func updateEndpoints(_ endpoints: IngressEndpointTable) {
        shared.routing.withLock { snapshot in
            let listed = endpoints.allAddresses
            snapshot = snapshot.replacing(endpoints: endpoints, draining: snapshot.draining.filter(listed.contains))
        }
    }

    /// Replaces the HTTPS certificates; new TLS connections choose from the new table.
    ///
    /// - Throws: ``NetworkError/Code/invalidCertificate`` when the TLS library rejects the certificate used for
    ///   the base context; the previous certificates stay in use then.
    public func updateCertificates(_ certificates: IngressCertificateTable) throws(NetworkError) {
        var context: NIOSSLContext?
        if let certificate = certificates.anyCertificate {
            do {
                context = try Self.makeTLSContext(base: certificate, shared: shared)
            } catch {
                throw NetworkError(.invalidCertificate, "cannot build a TLS context", underlying: error)
            }
        }
        shared.certificates.withLock { $0 = certificates }
        shared.tlsContext.withLock { $0 = context }
    }

    /// Stops sending new requests to `endpoint`, closes its idle pooled connections, and waits until the
    /// requests in flight to it have finished.
    ///
    /// The pod-termination path calls this (after removing the pod from the endpoints, before SIGTERM). The mark
    /// is dropped when an endpoint table that no longer lists the address is installed.
    ///
    /// - Returns: `true` when nothing is in flight to `endpoint` any more, `false` when `timeout` passed first.
    @discardableResult
    public func drain(_ endpoint: HostPort, timeout: Duration = .seconds(30)) async -> Bool {
        shared.routing.withLock { snapshot in
            var draining = snapshot.draining
            draining.insert(endpoint)
            snapshot = snapshot.replacing(draining: draining)
        }
        for state in loopStates.values {
            try? await state.eventLoop.submit { state.closeIdle(to: endpoint) }.get()
        }
        let deadline = ContinuousClock.now + timeout
        while await requestsInFlight(to: endpoint) > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: configuration.drainPollInterval)
        }
        return true
    }

    /// Requests currently in flight to `endpoint`, over all event loops.
    public func requestsInFlight(to endpoint: HostPort) async -> Int {
        var total = 0
        for state in loopStates.values {
            total += (try? await state.eventLoop.submit { state.requestsInFlight(to: endpoint) }.get()) ?? 0
        }
        return total
    }

    /// Closes the listeners, every client and upstream connection, and the event loops.
    public func shutdown() async {
        let channels = listeners.withLock { listeners in
            defer { listeners.channels = [] }
            return listeners.channels
        }
        for channel in channels { try? await channel.close() }
        for state in loopStates.values {
            try? await state.eventLoop.submit { state.closeIdle(to: nil) }.get()
        }
        try? await group.shutdownGracefully()
    }

    // MARK: Internals

    private func bind(_ address: HostPort, tls: Bool) async throws(NetworkError) -> any Channel {
        let shared = self.shared
        let loopStates = self.loopStates
        let connections = self.connections
        let settings = IngressProxyHandler.Settings(
            scheme: tls ? "https" : "http", connectTimeout: TimeAmount(configuration.connectTimeout),
            upstreamTimeout: TimeAmount(configuration.upstreamTimeout), idleTimeout: TimeAmount(configuration.idleTimeout),
            headerTimeout: TimeAmount(configuration.headerTimeout), maxHeaderSize: configuration.maxHeaderSize)
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                // Not reading the listening socket leaves new connections queued in the kernel until
                // acceptConnections().
                .serverChannelOption(.autoRead, value: false)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let loopState = loopStates[ObjectIdentifier(channel.eventLoop)] else {
                            throw NetworkError(.shutDown, "connection on an unknown event loop")
                        }
                        let sync = channel.pipeline.syncOperations
                        let admission = connections.admit()
                        channel.closeFuture.whenComplete { _ in connections.release(admission) }
                        switch admission {
                        case .admitted:
                            break
                        case .refused where !tls:
                            try sync.addHandler(OverCapacityHandler())
                            return
                        case .refused, .dropped:
                            // A TLS client would need a handshake (and the CPU it costs) before it could be told.
                            channel.close(promise: nil)
                            return
                        }
                        if tls {
                            guard let context = shared.tlsContext.withLock({ $0 }) else {
                                throw NetworkError(.invalidCertificate, "no TLS certificate configured")
                            }
                            try sync.addHandler(NIOSSLServerHandler(context: context))
                        }
                        try sync.addHandler(
                            IngressProxyHandler(shared: shared, loopState: loopState, settings: settings))
                    }
                }
                .bind(host: address.host, port: address.port).get()
        } catch {
            throw NetworkError(.bindFailed, "cannot listen on \(address) for Ingress", underlying: error)
        }
    }

    /// A server context whose handshakes each pick their certificate by SNI from the current table.
    private static func makeTLSContext(base: TLSCertificate, shared: IngressSharedState) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: base.chain.map { .certificate($0) }, privateKey: .privateKey(base.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        configuration.sslContextCallback = { values, promise in
            let table = shared.certificates.withLock { $0 }
            guard let certificate = table.certificate(forServerName: values.serverHostname) else {
                promise.fail(
                    NetworkError(.invalidCertificate, "no certificate for \(values.serverHostname ?? "(no SNI)")"))
                return
            }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = certificate.chain.map { .certificate($0) }
            override.privateKey = .privateKey(certificate.key)
            promise.succeed(override)
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
