import NIOCore

/// Per-event-loop state of the Ingress proxy: the idle upstream connection pool, round-robin positions and
/// in-flight request counts. Confined to its event loop (every access runs on it), so it needs no lock.
final class IngressLoopState: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let maxIdlePerUpstream: Int
    private var idle: [HostPort: [UpstreamHandler]] = [:]
    private var roundRobin: [IngressBackend: Int] = [:]
    private var inFlight: [HostPort: Int] = [:]

    init(eventLoop: any EventLoop, maxIdlePerUpstream: Int) {
        self.eventLoop = eventLoop
        self.maxIdlePerUpstream = maxIdlePerUpstream
    }

    /// The next round-robin start index for `backend` over `count` endpoints.
    func nextIndex(for backend: IngressBackend, count: Int) -> Int {
        eventLoop.preconditionInEventLoop()
        let index = roundRobin[backend, default: 0] % count
        roundRobin[backend] = (index + 1) % count
        return index
    }

    /// Counts a request assigned to `address`.
    func beginRequest(to address: HostPort) {
        inFlight[address, default: 0] += 1
    }

    /// Uncounts a request assigned to `address`.
    func endRequest(to address: HostPort) {
        if let count = inFlight[address] {
            if count <= 1 { inFlight[address] = nil } else { inFlight[address] = count - 1 }
        }
    }

    /// Requests in flight to `address` on this loop.
    func requestsInFlight(to address: HostPort) -> Int {
        inFlight[address, default: 0]
    }

    /// An idle, still open connection to `address`, most recently used first.
    func takeIdle(for address: HostPort) -> UpstreamHandler? {
        while var list = idle[address], let connection = list.popLast() {
            idle[address] = list.isEmpty ? nil : list
            if connection.isActive { return connection }
        }
        return nil
    }

    /// Returns a connection after a complete exchange: pooled when there is room, closed otherwise.
    func release(_ connection: UpstreamHandler) {
        guard connection.isActive else { return }
        var list = idle[connection.address, default: []]
        guard list.count < maxIdlePerUpstream else {
            connection.close()
            return
        }
        list.append(connection)
        idle[connection.address] = list
        // A read held back for a slow client is let through, so the pool notices when the upstream closes.
        connection.resumeRead()
    }

    /// Forgets a pooled connection that closed.
    func remove(_ connection: UpstreamHandler) {
        guard var list = idle[connection.address], let index = list.firstIndex(where: { $0 === connection }) else {
            return
        }
        list.remove(at: index)
        idle[connection.address] = list.isEmpty ? nil : list
    }

    /// Closes every idle connection to `address` (drained endpoints) or to any address (`nil`, at shutdown).
    func closeIdle(to address: HostPort?) {
        let victims: [UpstreamHandler]
        if let address {
            victims = idle.removeValue(forKey: address) ?? []
        } else {
            victims = idle.values.flatMap { $0 }
            idle.removeAll()
        }
        for connection in victims { connection.close() }
    }
}
