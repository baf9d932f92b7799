import NIOSSL
import Synchronization

/// The routing inputs every connection reads per request, replaced whole on each update.
final class IngressRoutingSnapshot: Sendable {
    let routing: IngressRoutingTable
    let endpoints: IngressEndpointTable
    /// Endpoints that get no new requests (see ``IngressServer/drain(_:timeout:)``).
    let draining: Set<HostPort>

    init(routing: IngressRoutingTable, endpoints: IngressEndpointTable, draining: Set<HostPort>) {
        self.routing = routing
        self.endpoints = endpoints
        self.draining = draining
    }

    func replacing(
        routing: IngressRoutingTable? = nil, endpoints: IngressEndpointTable? = nil, draining: Set<HostPort>? = nil
    ) -> IngressRoutingSnapshot {
        IngressRoutingSnapshot(
            routing: routing ?? self.routing, endpoints: endpoints ?? self.endpoints, draining: draining ?? self.draining)
    }
}

/// State shared by every connection of one Ingress server. Each lock is held only to read or swap a reference.
final class IngressSharedState: Sendable {
    let routing: Mutex<IngressRoutingSnapshot>
    let certificates: Mutex<IngressCertificateTable>
    /// The HTTPS listener's base context; `nil` until a certificate is known. Each handshake then chooses its
    /// certificate by SNI from ``certificates``.
    let tlsContext: Mutex<NIOSSLContext?>

    init(routing: IngressRoutingSnapshot, certificates: IngressCertificateTable) {
        self.routing = Mutex(routing)
        self.certificates = Mutex(certificates)
        self.tlsContext = Mutex(nil)
    }

    var currentRouting: IngressRoutingSnapshot { routing.withLock { $0 } }
}
