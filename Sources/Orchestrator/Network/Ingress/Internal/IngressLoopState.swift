import NIOCore

/// One upstream address as one event loop sees it: its idle keep-alive connections and its requests in flight.
///
/// An exchange and a connection each hold their target, so the per-request bookkeeping touches no dictionary, and
/// the idle list is mutated in place (a list copied out of a dictionary and written back would be copied whole on
/// every request). Confined to its event loop.
final class UpstreamTarget {
    let address: HostPort
    private let maxIdle: Int
    private var idle: [UpstreamHandler] = []
    /// Requests assigned to this address and not finished.
    private(set) var inFlight = 0

    init(address: HostPort, maxIdle: Int) {
        self.address = address
        self.maxIdle = maxIdle
    }

    var isUnused: Bool { idle.isEmpty && inFlight == 0 }

    func beginRequest() {
        inFlight += 1
    }

    func endRequest() {
        inFlight = max(0, inFlight - 1)
    }

    /// An idle, still open connection, most recently used first.
    func takeIdle() -> UpstreamHandler? {
        while let connection = idle.popLast() {
            if connection.isActive { return connection }
        }
        return nil
    }

    /// Returns a connection after a complete exchange: pooled when there is room, closed otherwise.
    func release(_ connection: UpstreamHandler) {
        guard connection.isActive else { return }
        guard idle.count < maxIdle else {
            connection.close()
            return
        }
        idle.append(connection)
        // A read held back for a slow client is let through, so the pool notices when the upstream closes.
        connection.resumeRead()
    }

    /// Forgets a pooled connection that closed.
    func remove(_ connection: UpstreamHandler) {
        if let index = idle.lastIndex(where: { $0 === connection }) { idle.remove(at: index) }
    }

    func closeIdle() {
        let victims = idle
        idle.removeAll()
        for connection in victims { connection.close() }
    }
}

/// Per-event-loop state of the Ingress proxy: the upstream targets (pools and in-flight counts) and round-robin
/// positions. Confined to its event loop (every access runs on it), so it needs no lock.
final class IngressLoopState: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let maxIdlePerUpstream: Int
    private var targets: [HostPort: UpstreamTarget] = [:]
    private var roundRobin: [IngressBackend: Int] = [:]

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

    /// The target for `address`, made on first use.
    func target(for address: HostPort) -> UpstreamTarget {
        if let target = targets[address] { return target }
        let target = UpstreamTarget(address: address, maxIdle: maxIdlePerUpstream)
        targets[address] = target
        return target
    }

    /// Requests in flight to `address` on this loop.
    func requestsInFlight(to address: HostPort) -> Int {
        targets[address]?.inFlight ?? 0
    }

    /// Closes every idle connection to `address` (drained endpoints) or to any address (`nil`, at shutdown), and
    /// forgets targets nothing uses any more.
    func closeIdle(to address: HostPort?) {
        if let address {
            targets[address]?.closeIdle()
        } else {
            for target in targets.values { target.closeIdle() }
        }
        targets = targets.filter { !$0.value.isUnused }
    }
}
