import NIOCore
import NIOPosix
import Synchronization

/// One Service port's TCP listener: accepts connections and splices each to an endpoint chosen by its
/// ``EndpointPicker``.
///
/// The accept loop runs in ``run()`` with one child task per connection in a discarding task group; each child
/// catches its own errors, so one failed connection never affects another. The endpoint list is swapped under a
/// short lock; established connections keep their upstream until either side closes.
final class ServicePortListener: Sendable {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    let key: ServicePortKey
    /// The address asked for (port may be 0).
    let requested: HostPort
    /// The address bound.
    let bound: HostPort

    private struct State {
        var picker: EndpointPicker
        var draining: Set<HostPort>
        var active: [HostPort: Int] = [:]
    }

    private let serverChannel: NIOAsyncChannel<Connection, Never>
    private let state: Mutex<State>
    private let group: any EventLoopGroup
    private let connectTimeout: Duration
    private let connections: ConnectionLimit

    private init(
        spec: ServicePortProxySpec, bound: HostPort, serverChannel: NIOAsyncChannel<Connection, Never>,
        draining: Set<HostPort>, group: any EventLoopGroup, connectTimeout: Duration, connections: ConnectionLimit
    ) {
        self.key = spec.key
        self.requested = spec.listen
        self.bound = bound
        self.serverChannel = serverChannel
        self.state = Mutex(
            State(
                picker: EndpointPicker(endpoints: spec.endpoints, affinity: spec.sessionAffinity), draining: draining))
        self.group = group
        self.connectTimeout = connectTimeout
        self.connections = connections
    }

    /// Binds the spec's listen address.
    ///
    /// - Parameter connections: the limit this listener shares with the others; a connection over it is closed as
    ///   soon as it is accepted.
    /// - Throws: ``NetworkError/Code/bindFailed`` with the OS's reason.
    static func bind(
        _ spec: ServicePortProxySpec, draining: Set<HostPort>, group: any EventLoopGroup, connectTimeout: Duration,
        connections: ConnectionLimit
    ) async throws(NetworkError) -> ServicePortListener {
        let serverChannel: NIOAsyncChannel<Connection, Never>
        do {
            serverChannel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: spec.listen.host, port: spec.listen.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Connection(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true))
                    }
                }
        } catch {
            throw NetworkError(.bindFailed, "cannot listen on \(spec.listen) for \(spec.key)", underlying: error)
        }
        let port = serverChannel.channel.localAddress?.port ?? spec.listen.port
        return ServicePortListener(
            spec: spec, bound: HostPort(host: spec.listen.host, port: port), serverChannel: serverChannel,
            draining: draining, group: group, connectTimeout: connectTimeout, connections: connections)
    }

    /// Replaces the endpoints and affinity used for new connections.
    func update(endpoints: [HostPort], affinity: SessionAffinity) {
        state.withLock { $0.picker.update(endpoints: endpoints, affinity: affinity) }
    }

    /// Replaces the set of draining endpoints, which get no new connections.
    func setDraining(_ draining: Set<HostPort>) {
        state.withLock { $0.draining = draining }
    }

    /// Open connections to `endpoint` through this listener.
    func activeConnections(to endpoint: HostPort) -> Int {
        state.withLock { $0.active[endpoint, default: 0] }
    }

    /// The client IP's affinity endpoint, if any.
    func affinityEndpoint(for clientIP: String) -> HostPort? {
        state.withLock { $0.picker.affinityEndpoint(for: clientIP) }
    }

    /// Stops accepting; established connections go on until they end.
    /// Closes the listening socket and returns once it is closed, so the address is free for a new
    /// listener and no new connection is accepted after this returns.
    func stopAccepting() async {
        try? await serverChannel.channel.close()
    }

    /// Accepts connections until the listener is closed, then waits for the open connections to end.
    func run() async {
        do {
            try await serverChannel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        let admission = connections.admit()
                        guard admission == .admitted else {
                            connections.release(admission)
                            // Over the limit: a close at once, the TCP form of "try again later".
                            try? await connection.channel.close()
                            continue
                        }
                        group.addTask {
                            defer { self.connections.release(.admitted) }
                            await self.serve(connection)
                        }
                    }
                }
            }
        } catch {
            // The accept loop ends with an error only when the listening socket fails or the task is cancelled;
            // either way there is nothing left to accept.
        }
    }

    private func serve(_ connection: Connection) async {
        let clientIP = connection.channel.remoteAddress?.ipAddress
        do {
            try await connection.executeThenClose { clientInbound, clientOutbound in
                let candidates = state.withLock {
                    $0.picker.candidates(clientIP: clientIP, now: .now, excluding: $0.draining)
                }
                // No ready endpoint: close at once, like kube-proxy's REJECT rule.
                for (index, endpoint) in candidates.enumerated() {
                    guard let upstream = try? await connect(to: endpoint) else { continue }
                    state.withLock {
                        if index > 0 { $0.picker.stick(clientIP: clientIP, to: endpoint, now: .now) }
                        $0.active[endpoint, default: 0] += 1
                    }
                    defer { state.withLock { $0.active[endpoint, default: 1] -= 1 } }
                    try await upstream.executeThenClose { upstreamInbound, upstreamOutbound in
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await chunk in clientInbound { try await upstreamOutbound.write(chunk) }
                                upstreamOutbound.finish()
                            }
                            group.addTask {
                                for try await chunk in upstreamInbound { try await clientOutbound.write(chunk) }
                                clientOutbound.finish()
                            }
                            try await group.waitForAll()
                        }
                    }
                    return
                }
            }
        } catch {
            // A reset or failed write on either side ends this connection only; both sockets are closed by
            // `executeThenClose`.
        }
    }

    private func connect(to endpoint: HostPort) async throws -> Connection {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try Connection(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
            }
        }
        if let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) {
            return try await bootstrap.connect(to: address, channelInitializer: initializer)
        }
        return try await bootstrap.connect(host: endpoint.host, port: endpoint.port, channelInitializer: initializer)
    }
}
