/// The ready upstream addresses of each Ingress backend, resolved by the controller from Services and Endpoints.
///
/// A value swapped whole into the running Ingress server; a backend missing from the table or listed with no
/// address has no ready endpoint (requests get 503).
public struct IngressEndpointTable: Sendable, Hashable {
    public var endpoints: [IngressBackend: [HostPort]]

    public init(_ endpoints: [IngressBackend: [HostPort]] = [:]) {
        self.endpoints = endpoints
    }

    /// The ready addresses of `backend`, in a stable order.
    public subscript(backend: IngressBackend) -> [HostPort] {
        get { endpoints[backend] ?? [] }
        set { endpoints[backend] = newValue }
    }

    /// Every address listed for any backend.
    public var allAddresses: Set<HostPort> {
        Set(endpoints.values.joined())
    }
}
