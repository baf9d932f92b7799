/// `metadata` of every object: identity, labels and annotations, and what the store maintains.
public struct ObjectMeta: Sendable, Hashable {
    public var name = ""
    public var generateName: String?
    /// Empty for cluster-scoped kinds; defaulting sets `default` for namespaced kinds.
    public var namespace = ""
    public var labels: [String: String] = [:]
    public var annotations: [String: String] = [:]
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int?
    /// RFC 3339 timestamps, as the API writes them.
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var deletionGracePeriodSeconds: Int?
    public var ownerReferences: [OwnerReference] = []
    public var finalizers: [String] = []
    /// `selfLink` and `managedFields`, kept as written.
    public var retainedFields: [String: Value] = [:]

    public init(name: String = "", namespace: String = "", labels: [String: String] = [:]) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
    }
}

/// `metadata.ownerReferences[]`: the object that owns this one (a ReplicaSet owns its pods).
public struct OwnerReference: Sendable, Hashable {
    public var apiVersion = ""
    public var kind = ""
    public var name = ""
    public var uid = ""
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String = "", kind: String = "", name: String = "", uid: String = "", controller: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }
}

extension ObjectMeta: ValueCodable {
    static let fields: Set<String> = [
        "name", "generateName", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers",
    ]
    static let retained: Set<String> = ["selfLink", "managedFields"]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ObjectMeta? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ObjectMeta") else { return nil }
        r.checkFields(fields, retained: retained, type: "ObjectMeta")
        var m = ObjectMeta()
        m.name = r("name") ?? ""
        m.generateName = r("generateName")
        m.namespace = r("namespace") ?? ""
        m.labels = r.map("labels")
        m.annotations = r.map("annotations")
        m.uid = r("uid")
        m.resourceVersion = r("resourceVersion")
        m.generation = r("generation")
        m.creationTimestamp = r("creationTimestamp")
        m.deletionTimestamp = r("deletionTimestamp")
        m.deletionGracePeriodSeconds = r("deletionGracePeriodSeconds")
        m.ownerReferences = r.list("ownerReferences")
        m.finalizers = r.list("finalizers")
        m.retainedFields = r.retainedFields(retained, warn: false)
        return m
    }

    func toValue() -> Value {
        var w = ObjectWriter(retained: retainedFields)
        w["name"] = name.isEmpty ? nil : name
        w["generateName"] = generateName
        w["namespace"] = namespace.isEmpty ? nil : namespace
        w["labels"] = labels
        w["annotations"] = annotations
        w["uid"] = uid
        w["resourceVersion"] = resourceVersion
        w["generation"] = generation
        w["creationTimestamp"] = creationTimestamp
        w["deletionTimestamp"] = deletionTimestamp
        w["deletionGracePeriodSeconds"] = deletionGracePeriodSeconds
        w["ownerReferences"] = ownerReferences
        w["finalizers"] = finalizers
        return w.value
    }
}

extension OwnerReference: ValueCodable {
    static let fields: Set<String> = ["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> OwnerReference? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "OwnerReference") else { return nil }
        r.checkFields(fields, type: "OwnerReference")
        var o = OwnerReference()
        o.apiVersion = r("apiVersion") ?? ""
        o.kind = r("kind") ?? ""
        o.name = r("name") ?? ""
        o.uid = r("uid") ?? ""
        o.controller = r("controller")
        o.blockOwnerDeletion = r("blockOwnerDeletion")
        return o
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["apiVersion"] = apiVersion
        w["kind"] = kind
        w["name"] = name
        w["uid"] = uid
        w["controller"] = controller
        w["blockOwnerDeletion"] = blockOwnerDeletion
        return w.value
    }
}

/// `status.conditions[]` of Deployments, ReplicaSets, Pods and Namespaces.
public struct Condition: Sendable, Hashable {
    public var type = ""
    /// `True`, `False` or `Unknown`.
    public var status = ""
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: String?
    public var lastUpdateTime: String?
    public var lastProbeTime: String?
    public var observedGeneration: Int?

    public init(type: String = "", status: String = "", reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }
}

extension Condition: ValueCodable {
    static let fields: Set<String> = [
        "type", "status", "reason", "message", "lastTransitionTime", "lastUpdateTime", "lastProbeTime",
        "observedGeneration",
    ]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Condition? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Condition") else { return nil }
        r.checkFields(fields, type: "Condition")
        var c = Condition()
        c.type = r("type") ?? ""
        c.status = r("status") ?? ""
        c.reason = r("reason")
        c.message = r("message")
        c.lastTransitionTime = r("lastTransitionTime")
        c.lastUpdateTime = r("lastUpdateTime")
        c.lastProbeTime = r("lastProbeTime")
        c.observedGeneration = r("observedGeneration")
        return c
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["type"] = type
        w["status"] = status
        w["reason"] = reason
        w["message"] = message
        w["lastTransitionTime"] = lastTransitionTime
        w["lastUpdateTime"] = lastUpdateTime
        w["lastProbeTime"] = lastProbeTime
        w["observedGeneration"] = observedGeneration
        return w.value
    }
}

extension LabelSelector: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> LabelSelector? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "LabelSelector") else { return nil }
        r.checkFields(["matchLabels", "matchExpressions"], type: "LabelSelector")
        return LabelSelector(matchLabels: r.map("matchLabels"), matchExpressions: r.list("matchExpressions"))
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["matchLabels"] = matchLabels
        w["matchExpressions"] = matchExpressions
        return w.value
    }
}

extension LabelSelector.Requirement: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Self? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "LabelSelectorRequirement") else { return nil }
        r.checkFields(["key", "operator", "values"], type: "LabelSelectorRequirement")
        let opText: String = r("operator") ?? ""
        guard let op = LabelSelector.Operator(rawValue: opText) else {
            diagnostics.error(
                .invalidValue, path.child("operator"),
                opText.isEmpty
                    ? "operator is required" : "unsupported operator \"\(opText)\" (In, NotIn, Exists, DoesNotExist)")
            return nil
        }
        return Self(key: r("key") ?? "", operator: op, values: r.list("values"))
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["key"] = key
        w["operator"] = self.operator.rawValue
        w["values"] = values
        return w.value
    }
}
