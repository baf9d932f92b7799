import API

/// A resource while it is being rendered: its value plus what later steps need to know about its past.
struct Resource: Sendable {
    /// How a generated resource meets one that already exists.
    enum Behavior: String, Sendable { case create, merge, replace }

    var value: Value
    var sourceMap: SourceMap
    /// The name as first written (or generated), which other resources use to refer to it.
    var originalName: String
    /// Whether a content hash goes on the name at the end (generated ConfigMaps and Secrets).
    var needsHashSuffix = false
    /// Names this resource had, oldest first, for name-reference fix-ups.
    var previousNames: [String] = []

    init(value: Value, sourceMap: SourceMap) {
        self.value = value
        self.sourceMap = sourceMap
        self.originalName = value[path: ["metadata", "name"]]?.stringValue ?? ""
    }

    var kind: String { value["kind"]?.stringValue ?? "" }
    var apiVersion: String { value["apiVersion"]?.stringValue ?? "" }
    /// The API group: `apps` for `apps/v1`, `` for `v1`.
    var group: String {
        let version = apiVersion
        guard let slash = version.firstIndex(of: "/") else { return "" }
        return String(version[..<slash])
    }
    /// The version without the group.
    var version: String {
        let version = apiVersion
        guard let slash = version.firstIndex(of: "/") else { return version }
        return String(version[version.index(after: slash)...])
    }

    var name: String {
        get { value[path: ["metadata", "name"]]?.stringValue ?? "" }
        set { value[path: ["metadata", "name"]] = .string(newValue) }
    }

    var namespace: String? {
        get { value[path: ["metadata", "namespace"]]?.stringValue }
        set { value[path: ["metadata", "namespace"]] = newValue.map { .string($0) } }
    }

    var labels: [String: String] { value[path: ["metadata", "labels"]]?.stringMap ?? [:] }
    var annotations: [String: String] { value[path: ["metadata", "annotations"]]?.stringMap ?? [:] }

    /// The identity kustomize uses to tell resources apart.
    var id: ResourceID { ResourceID(group: group, kind: kind, namespace: namespace ?? "", name: name) }

    /// `Kind/name` (with the namespace when set), for messages.
    var displayName: String {
        if let namespace, !namespace.isEmpty { return "\(kind)/\(namespace)/\(name)" }
        return "\(kind)/\(name)"
    }

    /// Where the resource starts, for messages.
    var location: SourceLocation? { sourceMap.location(of: FieldPath()) }
}
