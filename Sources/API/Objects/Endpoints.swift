/// `v1` Endpoints: the addresses behind a Service (same name), written by the endpoints controller.
public struct Endpoints: KubernetesObject {
    public static let resource = ResourceKind.endpoints
    public var metadata = ObjectMeta()
    public var subsets: [EndpointSubset] = []

    public init(metadata: ObjectMeta = ObjectMeta(), subsets: [EndpointSubset] = []) {
        self.metadata = metadata
        self.subsets = subsets
    }

    public init(_ value: Value) throws(APIError) { self = try ObjectDecoding.decode(Self.self, value) }
}

/// A set of addresses sharing a set of ports.
public struct EndpointSubset: Sendable, Hashable {
    public var addresses: [EndpointAddress] = []
    public var notReadyAddresses: [EndpointAddress] = []
    public var ports: [EndpointPort] = []
    public init() {}
}

/// One pod address.
public struct EndpointAddress: Sendable, Hashable {
    public var ip = ""
    public var hostname: String?
    public var nodeName: String?
    public var targetRef: ObjectReference?
    public init(ip: String = "") { self.ip = ip }
}

/// One port of a subset (the resolved target port).
public struct EndpointPort: Sendable, Hashable {
    public var name: String?
    public var port = 0
    public var `protocol`: String?
    public var appProtocol: String?
    public init(name: String? = nil, port: Int = 0) {
        self.name = name
        self.port = port
    }
}

/// A reference to any object (`targetRef`).
public struct ObjectReference: Sendable, Hashable {
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var apiVersion: String?
    public var resourceVersion: String?
    public var fieldPath: String?
    public init(kind: String? = nil, namespace: String? = nil, name: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }
}

extension Endpoints: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Endpoints? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Endpoints") else { return nil }
        r.checkFields(["apiVersion", "kind", "metadata", "subsets"], type: "Endpoints")
        r.checkTypeMeta(resource)
        return Endpoints(metadata: r.object("metadata") ?? ObjectMeta(), subsets: r.list("subsets"))
    }

    public func toValue() -> Value {
        var w = ObjectWriter(resource: Self.resource, metadata: metadata)
        w["subsets"] = subsets
        return w.value
    }
}

extension EndpointSubset: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> EndpointSubset? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "EndpointSubset") else { return nil }
        r.checkFields(["addresses", "notReadyAddresses", "ports"], type: "EndpointSubset")
        var s = EndpointSubset()
        s.addresses = r.list("addresses")
        s.notReadyAddresses = r.list("notReadyAddresses")
        s.ports = r.list("ports")
        return s
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["addresses"] = addresses
        w["notReadyAddresses"] = notReadyAddresses
        w["ports"] = ports
        return w.value
    }
}

extension EndpointAddress: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> EndpointAddress? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "EndpointAddress") else { return nil }
        r.checkFields(["ip", "hostname", "nodeName", "targetRef"], type: "EndpointAddress")
        var a = EndpointAddress(ip: r("ip") ?? "")
        a.hostname = r("hostname")
        a.nodeName = r("nodeName")
        a.targetRef = r.object("targetRef")
        return a
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["ip"] = ip
        w["hostname"] = hostname
        w["nodeName"] = nodeName
        w["targetRef"] = targetRef
        return w.value
    }
}

extension EndpointPort: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> EndpointPort? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "EndpointPort") else { return nil }
        r.checkFields(["name", "port", "protocol", "appProtocol"], type: "EndpointPort")
        var p = EndpointPort(name: r("name"), port: r("port") ?? 0)
        p.protocol = r("protocol")
        p.appProtocol = r("appProtocol")
        return p
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["name"] = name
        w["port"] = port
        w["protocol"] = self.protocol
        w["appProtocol"] = appProtocol
        return w.value
    }
}

extension ObjectReference: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ObjectReference? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ObjectReference") else { return nil }
        r.checkFields(
            ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"], type: "ObjectReference")
        var o = ObjectReference(kind: r("kind"), namespace: r("namespace"), name: r("name"))
        o.uid = r("uid")
        o.apiVersion = r("apiVersion")
        o.resourceVersion = r("resourceVersion")
        o.fieldPath = r("fieldPath")
        return o
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["kind"] = kind
        w["namespace"] = namespace
        w["name"] = name
        w["uid"] = uid
        w["apiVersion"] = apiVersion
        w["resourceVersion"] = resourceVersion
        w["fieldPath"] = fieldPath
        return w.value
    }
}
