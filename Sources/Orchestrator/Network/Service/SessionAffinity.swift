/// How a Service proxy spreads a client's connections over endpoints (`spec.sessionAffinity`).
public enum SessionAffinity: Sendable, Hashable {
    /// Every new connection goes to the next ready endpoint in round-robin order.
    case none
    /// Connections from one client IP keep going to the same endpoint while it stays ready and the client
    /// connects again within `timeout` of its last connection (`sessionAffinityConfig.clientIP.timeoutSeconds`).
    case clientIP(timeout: Duration = SessionAffinity.defaultClientIPTimeout)

    /// Kubernetes' default ClientIP timeout: 10800 s (3 h).
    public static let defaultClientIPTimeout: Duration = .seconds(10800)
}
