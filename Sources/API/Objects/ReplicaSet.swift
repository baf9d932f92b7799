/// `apps/v1` ReplicaSet: keeps `replicas` pods of one template running.
public struct ReplicaSet: KubernetesObject {
    public static let resource = ResourceKind.replicaSet
    public var metadata = ObjectMeta()
    public var spec = ReplicaSetSpec()
    public var status = ReplicaSetStatus()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ReplicaSetSpec = ReplicaSetSpec()) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(_ value: Value) throws(APIError) { self = try ObjectDecoding.decode(Self.self, value) }
}

/// `ReplicaSet.spec`.
public struct ReplicaSetSpec: Sendable, Hashable {
    /// Default 1.
    public var replicas: Int?
    public var minReadySeconds: Int?
    public var selector: LabelSelector?
    public var template = PodTemplateSpec()
    public init() {}
}

/// `ReplicaSet.status`, written by the ReplicaSet controller.
public struct ReplicaSetStatus: Sendable, Hashable {
    public var replicas = 0
    public var fullyLabeledReplicas = 0
    public var readyReplicas = 0
    public var availableReplicas = 0
    public var terminatingReplicas: Int?
    public var observedGeneration = 0
    public var conditions: [Condition] = []
    public init() {}
}

extension ReplicaSet: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ReplicaSet? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ReplicaSet") else { return nil }
        r.checkFields(["apiVersion", "kind", "metadata", "spec", "status"], type: "ReplicaSet")
        r.checkTypeMeta(resource)
        var o = ReplicaSet(metadata: r.object("metadata") ?? ObjectMeta())
        if let s = ObjectReader.nested(
            r, "spec", type: "ReplicaSetSpec", fields: ["replicas", "minReadySeconds", "selector", "template"])
        {
            o.spec.replicas = s("replicas")
            o.spec.minReadySeconds = s("minReadySeconds")
            o.spec.selector = s.object("selector")
            o.spec.template = s.object("template") ?? PodTemplateSpec()
        }
        if let s = ObjectReader.nested(
            r, "status", type: "ReplicaSetStatus",
            fields: [
                "replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "terminatingReplicas",
                "observedGeneration", "conditions",
            ])
        {
            o.status.replicas = s("replicas") ?? 0
            o.status.fullyLabeledReplicas = s("fullyLabeledReplicas") ?? 0
            o.status.readyReplicas = s("readyReplicas") ?? 0
            o.status.availableReplicas = s("availableReplicas") ?? 0
            o.status.terminatingReplicas = s("terminatingReplicas")
            o.status.observedGeneration = s("observedGeneration") ?? 0
            o.status.conditions = s.list("conditions")
        }
        return o
    }

    public func toValue() -> Value {
        var w = ObjectWriter(resource: Self.resource, metadata: metadata)
        var s = ObjectWriter()
        s["replicas"] = spec.replicas
        s["minReadySeconds"] = spec.minReadySeconds?.nonZero
        s["selector"] = spec.selector
        s["template"] = spec.template
        w.members["spec"] = s.value
        var t = ObjectWriter()
        t["replicas"] = status.replicas
        t["fullyLabeledReplicas"] = status.fullyLabeledReplicas.nonZero
        t["readyReplicas"] = status.readyReplicas.nonZero
        t["availableReplicas"] = status.availableReplicas.nonZero
        t["terminatingReplicas"] = status.terminatingReplicas
        t["observedGeneration"] = status.observedGeneration.nonZero
        t["conditions"] = status.conditions
        if t.members != ["replicas": .int(0)] { w.members["status"] = t.value }
        return w.value
    }
}
