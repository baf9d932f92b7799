/// A liveness, readiness or startup probe: one handler plus timing.
public struct Probe: Sendable, Hashable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var grpc: GRPCAction?
    public var initialDelaySeconds: Int?
    /// Default 1.
    public var timeoutSeconds: Int?
    /// Default 10.
    public var periodSeconds: Int?
    /// Default 1; must be 1 for liveness and startup probes.
    public var successThreshold: Int?
    /// Default 3.
    public var failureThreshold: Int?
    public var terminationGracePeriodSeconds: Int?

    public init() {}
}

/// `exec`: run a command in the container; exit 0 is success.
public struct ExecAction: Sendable, Hashable {
    public var command: [String] = []
    public init(command: [String] = []) { self.command = command }
}

/// `httpGet`: a GET whose status 200-399 is success.
public struct HTTPGetAction: Sendable, Hashable {
    public var path: String?
    /// A number or the name of a container port.
    public var port: IntOrString = .int(0)
    public var host: String?
    /// `HTTP` (default) or `HTTPS`.
    public var scheme: String?
    public var httpHeaders: [HTTPHeader] = []
    public init(path: String? = nil, port: IntOrString = .int(0)) {
        self.path = path
        self.port = port
    }
}

/// One `httpHeaders[]` entry.
public struct HTTPHeader: Sendable, Hashable {
    public var name = ""
    public var value = ""
    public init(name: String = "", value: String = "") {
        self.name = name
        self.value = value
    }
}

/// `tcpSocket`: a TCP connect.
public struct TCPSocketAction: Sendable, Hashable {
    public var port: IntOrString = .int(0)
    public var host: String?
    public init(port: IntOrString = .int(0)) { self.port = port }
}

/// `grpc`: the gRPC health protocol.
public struct GRPCAction: Sendable, Hashable {
    public var port = 0
    public var service: String?
    public init(port: Int = 0) { self.port = port }
}

extension Probe: ValueCodable {
    static let fields: Set<String> = [
        "exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "timeoutSeconds", "periodSeconds",
        "successThreshold", "failureThreshold", "terminationGracePeriodSeconds",
    ]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Probe? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Probe") else { return nil }
        r.checkFields(fields, type: "Probe")
        var p = Probe()
        p.exec = r.object("exec")
        p.httpGet = r.object("httpGet")
        p.tcpSocket = r.object("tcpSocket")
        p.grpc = r.object("grpc")
        p.initialDelaySeconds = r("initialDelaySeconds")
        p.timeoutSeconds = r("timeoutSeconds")
        p.periodSeconds = r("periodSeconds")
        p.successThreshold = r("successThreshold")
        p.failureThreshold = r("failureThreshold")
        p.terminationGracePeriodSeconds = r("terminationGracePeriodSeconds")
        return p
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["exec"] = exec
        w["httpGet"] = httpGet
        w["tcpSocket"] = tcpSocket
        w["grpc"] = grpc
        w["initialDelaySeconds"] = initialDelaySeconds == 0 ? nil : initialDelaySeconds
        w["timeoutSeconds"] = timeoutSeconds
        w["periodSeconds"] = periodSeconds
        w["successThreshold"] = successThreshold
        w["failureThreshold"] = failureThreshold
        w["terminationGracePeriodSeconds"] = terminationGracePeriodSeconds
        return w.value
    }
}

extension ExecAction: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ExecAction? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ExecAction") else { return nil }
        r.checkFields(["command"], type: "ExecAction")
        return ExecAction(command: r.list("command"))
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["command"] = command
        return w.value
    }
}

extension HTTPGetAction: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> HTTPGetAction? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "HTTPGetAction") else { return nil }
        r.checkFields(["path", "port", "host", "scheme", "httpHeaders"], type: "HTTPGetAction")
        var a = HTTPGetAction(path: r("path"), port: r("port") ?? .int(0))
        a.host = r("host")
        a.scheme = r("scheme")
        a.httpHeaders = r.list("httpHeaders")
        return a
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["path"] = path
        w["port"] = port
        w["host"] = host
        w["scheme"] = scheme
        w["httpHeaders"] = httpHeaders
        return w.value
    }
}

extension HTTPHeader: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> HTTPHeader? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "HTTPHeader") else { return nil }
        r.checkFields(["name", "value"], type: "HTTPHeader")
        return HTTPHeader(name: r("name") ?? "", value: r("value") ?? "")
    }

    func toValue() -> Value { .object(["name": .string(name), "value": .string(value)]) }
}

extension TCPSocketAction: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> TCPSocketAction? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "TCPSocketAction") else { return nil }
        r.checkFields(["port", "host"], type: "TCPSocketAction")
        var a = TCPSocketAction(port: r("port") ?? .int(0))
        a.host = r("host")
        return a
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["port"] = port
        w["host"] = host
        return w.value
    }
}

extension GRPCAction: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> GRPCAction? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "GRPCAction") else { return nil }
        r.checkFields(["port", "service"], type: "GRPCAction")
        var a = GRPCAction(port: r("port") ?? 0)
        a.service = r("service")
        return a
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["port"] = port
        w["service"] = service
        return w.value
    }
}
