/// `v1` Namespace: a cluster-scoped group of namespaced objects.
public struct Namespace: KubernetesObject {
    public static let resource = ResourceKind.namespace
    public var metadata = ObjectMeta()
    public var spec = NamespaceSpec()
    public var status = NamespaceStatus()

    public init(metadata: ObjectMeta = ObjectMeta()) { self.metadata = metadata }

    public init(_ value: Value) throws(APIError) { self = try ObjectDecoding.decode(Self.self, value) }
}

/// `Namespace.spec`.
public struct NamespaceSpec: Sendable, Hashable {
    public var finalizers: [String] = []
    public init() {}
}

/// `Namespace.status`.
public struct NamespaceStatus: Sendable, Hashable {
    /// `Active` or `Terminating`.
    public var phase: String?
    public var conditions: [Condition] = []
    public init() {}
}

extension Namespace: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Namespace? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Namespace") else { return nil }
        r.checkFields(["apiVersion", "kind", "metadata", "spec", "status"], type: "Namespace")
        r.checkTypeMeta(resource)
        var n = Namespace(metadata: r.object("metadata") ?? ObjectMeta())
        if let spec = ObjectReader.nested(r, "spec", type: "NamespaceSpec", fields: ["finalizers"]) {
            n.spec.finalizers = spec.list("finalizers")
        }
        if let status = ObjectReader.nested(r, "status", type: "NamespaceStatus", fields: ["phase", "conditions"]) {
            n.status.phase = status("phase")
            n.status.conditions = status.list("conditions")
        }
        return n
    }

    public func toValue() -> Value {
        var w = ObjectWriter(resource: Self.resource, metadata: metadata)
        var spec = ObjectWriter()
        spec["finalizers"] = self.spec.finalizers
        if !spec.members.isEmpty { w.members["spec"] = spec.value }
        var status = ObjectWriter()
        status["phase"] = self.status.phase
        status["conditions"] = self.status.conditions
        if !status.members.isEmpty { w.members["status"] = status.value }
        return w.value
    }
}

extension ObjectReader {
    /// A reader over the object member `key` with its field set checked, or `nil` when absent.
    static func nested(_ parent: ObjectReader, _ key: String, type: String, fields: Set<String>, retained: Set<String> = [])
        -> ObjectReader?
    {
        guard let value = parent.members[key], value != .null else { return nil }
        guard let reader = ObjectReader(value, at: parent.path.child(key), parent.diagnostics, type: type) else {
            return nil
        }
        reader.checkFields(fields, retained: retained, type: type)
        return reader
    }
}
