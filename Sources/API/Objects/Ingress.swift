/// `networking.k8s.io/v1` Ingress: HTTP routing by host and path to Services.
public struct Ingress: KubernetesObject {
    public static let resource = ResourceKind.ingress
    public var metadata = ObjectMeta()
    public var spec = IngressSpec()
    /// `status.loadBalancer` as written.
    public var statusLoadBalancer: Value?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: IngressSpec = IngressSpec()) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(_ value: Value) throws(APIError) { self = try ObjectDecoding.decode(Self.self, value) }
}

/// `Ingress.spec`.
public struct IngressSpec: Sendable, Hashable {
    public var ingressClassName: String?
    public var defaultBackend: IngressBackend?
    public var tls: [IngressTLS] = []
    public var rules: [IngressRule] = []
    public init() {}
}

/// `spec.tls[]`.
public struct IngressTLS: Sendable, Hashable {
    public var hosts: [String] = []
    public var secretName: String?
    public init() {}
}

/// `spec.rules[]`: a host (or every host) and its paths.
public struct IngressRule: Sendable, Hashable {
    public var host: String?
    /// `http.paths`; `nil` when the rule has no `http`.
    public var paths: [HTTPIngressPath]?
    public init(host: String? = nil, paths: [HTTPIngressPath]? = nil) {
        self.host = host
        self.paths = paths
    }
}

/// `http.paths[]`.
public struct HTTPIngressPath: Sendable, Hashable {
    public var path: String?
    /// `Exact`, `Prefix` or `ImplementationSpecific`; required.
    public var pathType: String?
    public var backend = IngressBackend()
    public init(path: String? = nil, pathType: String? = nil, backend: IngressBackend = IngressBackend()) {
        self.path = path
        self.pathType = pathType
        self.backend = backend
    }
}

/// A backend: a Service port, or (not routed by gitopsd) a resource.
public struct IngressBackend: Sendable, Hashable {
    public var serviceName: String?
    /// Exactly one of `servicePortNumber` and `servicePortName` with a service.
    public var servicePortNumber: Int?
    public var servicePortName: String?
    public var hasService = false
    /// `resource` as written.
    public var resource: Value?
    public init(serviceName: String? = nil, portNumber: Int? = nil, portName: String? = nil) {
        self.serviceName = serviceName
        self.servicePortNumber = portNumber
        self.servicePortName = portName
        self.hasService = serviceName != nil
    }
}

extension Ingress: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Ingress? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Ingress") else { return nil }
        r.checkFields(["apiVersion", "kind", "metadata", "spec", "status"], type: "Ingress")
        r.checkTypeMeta(resource)
        var o = Ingress(metadata: r.object("metadata") ?? ObjectMeta())
        if let s = ObjectReader.nested(
            r, "spec", type: "IngressSpec", fields: ["ingressClassName", "defaultBackend", "tls", "rules"])
        {
            o.spec.ingressClassName = s("ingressClassName")
            o.spec.defaultBackend = s.object("defaultBackend")
            o.spec.tls = s.list("tls")
            o.spec.rules = s.list("rules")
        }
        if let s = ObjectReader.nested(r, "status", type: "IngressStatus", fields: ["loadBalancer"]) {
            o.statusLoadBalancer = s("loadBalancer")
        }
        return o
    }

    public func toValue() -> Value {
        var w = ObjectWriter(resource: Self.resource, metadata: metadata)
        var s = ObjectWriter()
        s["ingressClassName"] = spec.ingressClassName
        s["defaultBackend"] = spec.defaultBackend
        s["tls"] = spec.tls
        s["rules"] = spec.rules
        w.members["spec"] = s.value
        if let lb = statusLoadBalancer, lb != .object([:]) { w.members["status"] = ["loadBalancer": lb] }
        return w.value
    }
}

extension IngressTLS: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> IngressTLS? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "IngressTLS") else { return nil }
        r.checkFields(["hosts", "secretName"], type: "IngressTLS")
        var t = IngressTLS()
        t.hosts = r.list("hosts")
        t.secretName = r("secretName")
        return t
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["hosts"] = hosts
        w["secretName"] = secretName
        return w.value
    }
}

extension IngressRule: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> IngressRule? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "IngressRule") else { return nil }
        r.checkFields(["host", "http"], type: "IngressRule")
        var rule = IngressRule(host: r("host"))
        if let http = ObjectReader.nested(r, "http", type: "HTTPIngressRuleValue", fields: ["paths"]) {
            rule.paths = http.list("paths")
        }
        return rule
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["host"] = host
        if let paths { w.members["http"] = ["paths": paths.toValue()] }
        return w.value
    }
}

extension HTTPIngressPath: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> HTTPIngressPath? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "HTTPIngressPath") else { return nil }
        r.checkFields(["path", "pathType", "backend"], type: "HTTPIngressPath")
        return HTTPIngressPath(path: r("path"), pathType: r("pathType"), backend: r.object("backend") ?? IngressBackend())
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["path"] = path
        w["pathType"] = pathType
        w["backend"] = backend
        return w.value
    }
}

extension IngressBackend: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> IngressBackend? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "IngressBackend") else { return nil }
        r.checkFields(["service", "resource"], type: "IngressBackend")
        var b = IngressBackend()
        if let service = ObjectReader.nested(r, "service", type: "IngressServiceBackend", fields: ["name", "port"]) {
            b.hasService = true
            b.serviceName = service("name")
            if let port = ObjectReader.nested(service, "port", type: "ServiceBackendPort", fields: ["name", "number"]) {
                b.servicePortName = port("name")
                b.servicePortNumber = port("number")
            }
        }
        b.resource = r("resource")
        return b
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        if hasService {
            var service = ObjectWriter()
            service["name"] = serviceName
            var port = ObjectWriter()
            port["name"] = servicePortName
            port["number"] = servicePortNumber
            if !port.members.isEmpty { service.members["port"] = port.value }
            w.members["service"] = service.value
        }
        w["resource"] = resource
        return w.value
    }
}
