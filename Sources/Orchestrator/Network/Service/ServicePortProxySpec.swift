/// Identifies one port of one Service: the unit a Service proxy listens for.
public struct ServicePortKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    /// The Service's name.
    public var service: String
    /// The Service port's name, or its number as text when unnamed.
    public var port: String

    public init(namespace: String, service: String, port: String) {
        self.namespace = namespace
        self.service = service
        self.port = port
    }

    /// `namespace/service:port`.
    public var description: String { "\(namespace)/\(service):\(port)" }

    public static func < (lhs: ServicePortKey, rhs: ServicePortKey) -> Bool {
        (lhs.namespace, lhs.service, lhs.port) < (rhs.namespace, rhs.service, rhs.port)
    }
}

/// The resolved desired state of one Service port's proxy: where to listen and where to send connections.
public struct ServicePortProxySpec: Sendable, Hashable {
    public var key: ServicePortKey
    /// The address to listen on: the Service's cluster IP (on 127.0.0.0/8) and `port`, or a NodePort.
    public var listen: HostPort
    /// Ready endpoints (`pod host:resolved targetPort`), in a stable order. Empty: connections are closed at once.
    public var endpoints: [HostPort]
    public var sessionAffinity: SessionAffinity

    public init(key: ServicePortKey, listen: HostPort, endpoints: [HostPort], sessionAffinity: SessionAffinity = .none) {
        self.key = key
        self.listen = listen
        self.endpoints = endpoints
        self.sessionAffinity = sessionAffinity
    }
}

/// The outcome of applying a table for one Service port.
public enum ServicePortStatus: Sendable, Hashable {
    /// Listening on the bound address (the port is the real one when 0 was asked for).
    case listening(HostPort)
    /// The listener could not be started; the port has no proxy until a later apply succeeds.
    case failed(NetworkError)

    /// The bound address when listening.
    public var boundAddress: HostPort? {
        if case .listening(let address) = self { return address }
        return nil
    }

    /// The error when failed.
    public var error: NetworkError? {
        if case .failed(let error) = self { return error }
        return nil
    }
}
