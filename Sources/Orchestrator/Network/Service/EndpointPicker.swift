/// Chooses the endpoint for each new connection of one Service port: round-robin over ready endpoints that are
/// not draining, with optional ClientIP affinity.
///
/// A pure state machine: the time is passed in, so affinity expiry is tested without waiting. The Service proxy
/// keeps one per listener behind a lock and replaces the endpoint list in place, which keeps the round-robin
/// position and the affinity entries of endpoints that stay.
struct EndpointPicker: Sendable {
    typealias Instant = ContinuousClock.Instant

    private(set) var endpoints: [HostPort]
    private(set) var affinity: SessionAffinity
    private var next = 0
    private var sticky: [String: (endpoint: HostPort, lastUsed: Instant)] = [:]
    private var picksSincePrune = 0

    init(endpoints: [HostPort], affinity: SessionAffinity) {
        self.endpoints = endpoints
        self.affinity = affinity
    }

    /// Replaces the endpoint list and affinity; affinity entries pointing at removed endpoints are dropped.
    mutating func update(endpoints: [HostPort], affinity: SessionAffinity) {
        self.endpoints = endpoints
        self.affinity = affinity
        if case .none = affinity {
            sticky = [:]
        } else {
            let present = Set(endpoints)
            sticky = sticky.filter { present.contains($0.value.endpoint) }
        }
        if !endpoints.isEmpty { next %= endpoints.count } else { next = 0 }
    }

    /// The endpoints to try for a new connection, best first: the affinity endpoint or the next in round-robin
    /// order, then the others in round-robin order (to fall back on when connecting fails). Empty when no endpoint
    /// is ready. The first choice becomes the client's affinity endpoint; call ``stick(clientIP:to:now:)`` when a
    /// fallback was used instead.
    mutating func candidates(clientIP: String?, now: Instant, excluding draining: Set<HostPort> = []) -> [HostPort] {
        let usable = draining.isEmpty ? endpoints : endpoints.filter { !draining.contains($0) }
        guard !usable.isEmpty else { return [] }
        var order: [HostPort] = []
        order.reserveCapacity(usable.count)
        if case .clientIP(let timeout) = affinity, let clientIP {
            prune(now: now, timeout: timeout)
            if let entry = sticky[clientIP], now - entry.lastUsed <= timeout, usable.contains(entry.endpoint) {
                sticky[clientIP] = (entry.endpoint, now)
                order.append(entry.endpoint)
                order.append(contentsOf: usable.filter { $0 != entry.endpoint })
                return order
            }
        }
        let start = next % usable.count
        next = (start + 1) % usable.count
        for offset in 0..<usable.count {
            order.append(usable[(start + offset) % usable.count])
        }
        if case .clientIP = affinity, let clientIP {
            sticky[clientIP] = (order[0], now)
        }
        return order
    }

    /// Records that `clientIP` ended up on `endpoint` (a fallback after the first choice failed).
    mutating func stick(clientIP: String?, to endpoint: HostPort, now: Instant) {
        guard case .clientIP = affinity, let clientIP else { return }
        sticky[clientIP] = (endpoint, now)
    }

    /// The affinity endpoint currently recorded for `clientIP`, if any (for tests and diagnostics).
    func affinityEndpoint(for clientIP: String) -> HostPort? { sticky[clientIP]?.endpoint }

    /// Drops expired affinity entries now and then, so the table stays bounded by the active clients.
    private mutating func prune(now: Instant, timeout: Duration) {
        picksSincePrune += 1
        guard picksSincePrune >= 1024 else { return }
        picksSincePrune = 0
        sticky = sticky.filter { now - $0.value.lastUsed <= timeout }
    }
}
