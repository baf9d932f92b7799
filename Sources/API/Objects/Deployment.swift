/// `apps/v1` Deployment: a desired pod template and replica count, rolled out through ReplicaSets.
public struct Deployment: KubernetesObject {
    public static let resource = ResourceKind.deployment
    public var metadata = ObjectMeta()
    public var spec = DeploymentSpec()
    public var status = DeploymentStatus()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: DeploymentSpec = DeploymentSpec()) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(_ value: Value) throws(APIError) { self = try ObjectDecoding.decode(Self.self, value) }
}

/// `Deployment.spec`.
public struct DeploymentSpec: Sendable, Hashable {
    /// Default 1.
    public var replicas: Int?
    public var selector: LabelSelector?
    public var template = PodTemplateSpec()
    public var strategy: DeploymentStrategy?
    public var minReadySeconds: Int?
    /// Default 10.
    public var revisionHistoryLimit: Int?
    public var paused: Bool?
    /// Default 600.
    public var progressDeadlineSeconds: Int?
    public init() {}
}

/// `Deployment.spec.strategy`.
public struct DeploymentStrategy: Sendable, Hashable {
    /// `RollingUpdate` (default) or `Recreate`.
    public var type: String?
    public var rollingUpdate: RollingUpdateDeployment?
    public init(type: String? = nil) { self.type = type }
}

/// `strategy.rollingUpdate`: integers or percentages (`25%`, the default for both).
public struct RollingUpdateDeployment: Sendable, Hashable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?
    public init(maxUnavailable: IntOrString? = nil, maxSurge: IntOrString? = nil) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }
}

/// `Deployment.status`, written by the Deployment controller.
public struct DeploymentStatus: Sendable, Hashable {
    public var observedGeneration = 0
    public var replicas = 0
    public var updatedReplicas = 0
    public var readyReplicas = 0
    public var availableReplicas = 0
    public var unavailableReplicas = 0
    public var terminatingReplicas: Int?
    public var conditions: [Condition] = []
    public var collisionCount: Int?
    public init() {}
}

extension Deployment: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Deployment? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Deployment") else { return nil }
        r.checkFields(["apiVersion", "kind", "metadata", "spec", "status"], type: "Deployment")
        r.checkTypeMeta(resource)
        var d = Deployment(metadata: r.object("metadata") ?? ObjectMeta())
        if let s = ObjectReader.nested(
            r, "spec", type: "DeploymentSpec",
            fields: [
                "replicas", "selector", "template", "strategy", "minReadySeconds", "revisionHistoryLimit", "paused",
                "progressDeadlineSeconds",
            ])
        {
            d.spec.replicas = s("replicas")
            d.spec.selector = s.object("selector")
            d.spec.template = s.object("template") ?? PodTemplateSpec()
            d.spec.strategy = s.object("strategy")
            d.spec.minReadySeconds = s("minReadySeconds")
            d.spec.revisionHistoryLimit = s("revisionHistoryLimit")
            d.spec.paused = s("paused")
            d.spec.progressDeadlineSeconds = s("progressDeadlineSeconds")
        }
        if let s = ObjectReader.nested(
            r, "status", type: "DeploymentStatus",
            fields: [
                "observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                "unavailableReplicas", "terminatingReplicas", "conditions", "collisionCount",
            ])
        {
            d.status.observedGeneration = s("observedGeneration") ?? 0
            d.status.replicas = s("replicas") ?? 0
            d.status.updatedReplicas = s("updatedReplicas") ?? 0
            d.status.readyReplicas = s("readyReplicas") ?? 0
            d.status.availableReplicas = s("availableReplicas") ?? 0
            d.status.unavailableReplicas = s("unavailableReplicas") ?? 0
            d.status.terminatingReplicas = s("terminatingReplicas")
            d.status.conditions = s.list("conditions")
            d.status.collisionCount = s("collisionCount")
        }
        return d
    }

    public func toValue() -> Value {
        var w = ObjectWriter(resource: Self.resource, metadata: metadata)
        var s = ObjectWriter()
        s["replicas"] = spec.replicas
        s["selector"] = spec.selector
        s["template"] = spec.template
        s.setNonEmpty("strategy", spec.strategy)
        s["minReadySeconds"] = spec.minReadySeconds?.nonZero
        s["revisionHistoryLimit"] = spec.revisionHistoryLimit
        s["paused"] = spec.paused == true ? true : nil
        s["progressDeadlineSeconds"] = spec.progressDeadlineSeconds
        w.members["spec"] = s.value
        var t = ObjectWriter()
        t["observedGeneration"] = status.observedGeneration.nonZero
        t["replicas"] = status.replicas.nonZero
        t["updatedReplicas"] = status.updatedReplicas.nonZero
        t["readyReplicas"] = status.readyReplicas.nonZero
        t["availableReplicas"] = status.availableReplicas.nonZero
        t["unavailableReplicas"] = status.unavailableReplicas.nonZero
        t["terminatingReplicas"] = status.terminatingReplicas
        t["conditions"] = status.conditions
        t["collisionCount"] = status.collisionCount
        if !t.members.isEmpty { w.members["status"] = t.value }
        return w.value
    }
}

extension DeploymentStrategy: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> DeploymentStrategy? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "DeploymentStrategy") else { return nil }
        r.checkFields(["type", "rollingUpdate"], type: "DeploymentStrategy")
        var s = DeploymentStrategy(type: r("type"))
        s.rollingUpdate = r.object("rollingUpdate")
        return s
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["type"] = type
        w.setNonEmpty("rollingUpdate", rollingUpdate)
        return w.value
    }
}

extension RollingUpdateDeployment: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> RollingUpdateDeployment? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "RollingUpdateDeployment") else { return nil }
        r.checkFields(["maxUnavailable", "maxSurge"], type: "RollingUpdateDeployment")
        return RollingUpdateDeployment(maxUnavailable: r("maxUnavailable"), maxSurge: r("maxSurge"))
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["maxUnavailable"] = maxUnavailable
        w["maxSurge"] = maxSurge
        return w.value
    }
}
