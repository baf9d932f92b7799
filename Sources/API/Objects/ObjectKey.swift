/// Identifies one object: its kind, namespace (empty for cluster-scoped kinds such as Namespace) and name.
///
/// The kind alone is enough to tell the supported kinds apart, so the API group is not part of the key.
public struct ObjectKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var kind: String
    public var namespace: String
    public var name: String

    public init(kind: String, namespace: String = "", name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `Kind/name` for cluster-scoped objects, `Kind/namespace/name` otherwise.
    public var description: String {
        namespace.isEmpty ? "\(kind)/\(name)" : "\(kind)/\(namespace)/\(name)"
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.kind, lhs.namespace, lhs.name) < (rhs.kind, rhs.namespace, rhs.name)
    }
}

extension ObjectKey {
    /// The key of an object value, or `nil` when it has no kind or name. A namespaced kind without a
    /// namespace is in `default`, as the API server defaults it.
    public init?(_ object: Value) {
        guard let kind = object["kind"]?.stringValue, let name = object[path: ["metadata", "name"]]?.stringValue
        else { return nil }
        let namespaced = ResourceKind.forKind(kind)?.isNamespaced ?? true
        self.init(
            kind: kind,
            namespace: namespaced ? object[path: ["metadata", "namespace"]]?.stringValue ?? "default" : "",
            name: name)
    }
}
