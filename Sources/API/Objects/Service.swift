/// `v1` Service: a stable address load-balanced over the ready pods its selector picks.
public struct Service: KubernetesObject {
    public static let resource = ResourceKind.service
    public var metadata = ObjectMeta()
    public var spec = ServiceSpec()
    public var status = ServiceStatus()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ServiceSpec = ServiceSpec()) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(_ value: Value) throws(APIError) { self = try ObjectDecoding.decode(Self.self, value) }
}

/// `Service.spec`.
public struct ServiceSpec: Sendable, Hashable {
    /// `ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`.
    public var type: String?
    /// Plain equality map; empty means Kubernetes does not manage the endpoints.
    public var selector: [String: String] = [:]
    public var ports: [ServicePort] = []
    /// Allocated; `None` makes a headless Service.
    public var clusterIP: String?
    public var clusterIPs: [String] = []
    public var externalName: String?
    /// `None` (default) or `ClientIP`.
    public var sessionAffinity: String?
    /// `sessionAffinityConfig.clientIP.timeoutSeconds` (default 10800 with `ClientIP`).
    public var sessionAffinityTimeoutSeconds: Int?
    public var publishNotReadyAddresses: Bool?
    /// `Cluster` (default) or `Local`.
    public var externalTrafficPolicy: String?
    public var internalTrafficPolicy: String?
    public var allocateLoadBalancerNodePorts: Bool?
    /// externalIPs, loadBalancerIP, ipFamilies, ... kept as written.
    public var retainedFields: [String: Value] = [:]
    public init() {}
}

/// `Service.spec.ports[]`.
public struct ServicePort: Sendable, Hashable {
    public var name: String?
    /// `TCP` (default), `UDP` or `SCTP`.
    public var `protocol`: String?
    public var appProtocol: String?
    public var port = 0
    /// Defaults to `port`; a number or a container port name.
    public var targetPort: IntOrString?
    public var nodePort: Int?
    public init(name: String? = nil, port: Int = 0, targetPort: IntOrString? = nil) {
        self.name = name
        self.port = port
        self.targetPort = targetPort
    }
}

/// `Service.status`.
public struct ServiceStatus: Sendable, Hashable {
    /// `loadBalancer` as written.
    public var loadBalancer: Value?
    public var conditions: [Condition] = []
    public init() {}
}

extension Service: ValueCodable {
    static let specFields: Set<String> = [
        "type", "selector", "ports", "clusterIP", "clusterIPs", "externalName", "sessionAffinity",
        "sessionAffinityConfig", "publishNotReadyAddresses", "externalTrafficPolicy", "internalTrafficPolicy",
        "allocateLoadBalancerNodePorts",
    ]
    static let specRetained: Set<String> = [
        "externalIPs", "loadBalancerIP", "loadBalancerSourceRanges", "healthCheckNodePort", "ipFamilies",
        "ipFamilyPolicy", "loadBalancerClass", "trafficDistribution",
    ]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Service? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Service") else { return nil }
        r.checkFields(["apiVersion", "kind", "metadata", "spec", "status"], type: "Service")
        r.checkTypeMeta(resource)
        var o = Service(metadata: r.object("metadata") ?? ObjectMeta())
        if let s = ObjectReader.nested(r, "spec", type: "ServiceSpec", fields: specFields, retained: specRetained) {
            o.spec.type = s("type")
            o.spec.selector = s.map("selector")
            o.spec.ports = s.list("ports")
            o.spec.clusterIP = s("clusterIP")
            o.spec.clusterIPs = s.list("clusterIPs")
            o.spec.externalName = s("externalName")
            o.spec.sessionAffinity = s("sessionAffinity")
            if let config = ObjectReader.nested(s, "sessionAffinityConfig", type: "SessionAffinityConfig", fields: ["clientIP"]),
                let clientIP = ObjectReader.nested(config, "clientIP", type: "ClientIPConfig", fields: ["timeoutSeconds"])
            {
                o.spec.sessionAffinityTimeoutSeconds = clientIP("timeoutSeconds")
            }
            o.spec.publishNotReadyAddresses = s("publishNotReadyAddresses")
            o.spec.externalTrafficPolicy = s("externalTrafficPolicy")
            o.spec.internalTrafficPolicy = s("internalTrafficPolicy")
            o.spec.allocateLoadBalancerNodePorts = s("allocateLoadBalancerNodePorts")
            o.spec.retainedFields = s.retainedFields(specRetained)
        }
        if let s = ObjectReader.nested(r, "status", type: "ServiceStatus", fields: ["loadBalancer", "conditions"]) {
            o.status.loadBalancer = s("loadBalancer")
            o.status.conditions = s.list("conditions")
        }
        return o
    }

    public func toValue() -> Value {
        var w = ObjectWriter(resource: Self.resource, metadata: metadata)
        var s = ObjectWriter(retained: spec.retainedFields)
        s["type"] = spec.type
        s["selector"] = spec.selector
        s["ports"] = spec.ports
        s["clusterIP"] = spec.clusterIP
        s["clusterIPs"] = spec.clusterIPs
        s["externalName"] = spec.externalName
        s["sessionAffinity"] = spec.sessionAffinity
        if let timeout = spec.sessionAffinityTimeoutSeconds {
            s.members["sessionAffinityConfig"] = ["clientIP": ["timeoutSeconds": .int(Int64(timeout))]]
        }
        s["publishNotReadyAddresses"] = spec.publishNotReadyAddresses == true ? true : nil
        s["externalTrafficPolicy"] = spec.externalTrafficPolicy
        s["internalTrafficPolicy"] = spec.internalTrafficPolicy
        s["allocateLoadBalancerNodePorts"] = spec.allocateLoadBalancerNodePorts
        w.members["spec"] = s.value
        var t = ObjectWriter()
        if let loadBalancer = status.loadBalancer, loadBalancer != .object([:]) { t.members["loadBalancer"] = loadBalancer }
        t["conditions"] = status.conditions
        if !t.members.isEmpty { w.members["status"] = t.value }
        return w.value
    }
}

extension ServicePort: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ServicePort? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ServicePort") else { return nil }
        r.checkFields(["name", "protocol", "appProtocol", "port", "targetPort", "nodePort"], type: "ServicePort")
        var p = ServicePort(name: r("name"), port: r("port") ?? 0, targetPort: r("targetPort"))
        p.protocol = r("protocol")
        p.appProtocol = r("appProtocol")
        p.nodePort = r("nodePort")
        return p
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["name"] = name
        w["protocol"] = self.protocol
        w["appProtocol"] = appProtocol
        w["port"] = port
        w["targetPort"] = targetPort
        w["nodePort"] = nodePort?.nonZero
        return w.value
    }
}
