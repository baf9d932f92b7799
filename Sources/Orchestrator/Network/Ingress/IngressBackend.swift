/// A Service port an Ingress sends traffic to (`backend.service`): the key the endpoint table is indexed by.
public struct IngressBackend: Sendable, Hashable, CustomStringConvertible {
    /// How the backend names the Service port: by `port.number` (the Service `port`, not the target port) or by
    /// `port.name`.
    public enum Port: Sendable, Hashable, CustomStringConvertible {
        case number(Int)
        case name(String)

        public var description: String {
            switch self {
            case .number(let number): String(number)
            case .name(let name): name
            }
        }
    }

    public var namespace: String
    /// The Service's name.
    public var service: String
    public var port: Port

    public init(namespace: String, service: String, port: Port) {
        self.namespace = namespace
        self.service = service
        self.port = port
    }

    /// `namespace/service:port`.
    public var description: String { "\(namespace)/\(service):\(port)" }
}

/// Where a request goes: a backend, and optionally a fixed path to send instead of the request's path
/// (`nginx.ingress.kubernetes.io/rewrite-target` with a plain target, no capture groups).
public struct IngressRoute: Sendable, Hashable {
    public var backend: IngressBackend
    /// When set, the upstream request's path is this target; the query string is kept.
    public var rewriteTarget: String?

    public init(backend: IngressBackend, rewriteTarget: String? = nil) {
        self.backend = backend
        self.rewriteTarget = rewriteTarget
    }
}
