/// An object of any supported kind, typed: what the loader hands out and what controllers switch over.
public enum TypedObject: Sendable, Hashable {
    case namespace(Namespace)
    case configMap(ConfigMap)
    case secret(Secret)
    case pod(Pod)
    case service(Service)
    case endpoints(Endpoints)
    case deployment(Deployment)
    case replicaSet(ReplicaSet)
    case ingress(Ingress)

    /// Decodes `value` as the kind its `kind` field names.
    /// - Throws: `.unknownKind` (listing the supported kinds) or the first decoding problem.
    public init(_ value: Value) throws(APIError) {
        let diagnostics = Diagnostics()
        guard let object = TypedObject.decode(value, diagnostics) else {
            throw diagnostics.errors.first ?? APIError(.invalidType, "expected an object")
        }
        if let first = diagnostics.errors.first { throw first }
        self = object
    }

    /// The wrapped object.
    public var object: any KubernetesObject {
        switch self {
        case .namespace(let o): o
        case .configMap(let o): o
        case .secret(let o): o
        case .pod(let o): o
        case .service(let o): o
        case .endpoints(let o): o
        case .deployment(let o): o
        case .replicaSet(let o): o
        case .ingress(let o): o
        }
    }

    public var resource: ResourceKind { type(of: object).resource }
    public var metadata: ObjectMeta { object.metadata }
    public var key: ObjectKey { object.key }
    public func toValue() -> Value { object.toValue() }

    /// Decodes with every problem collected; `nil` when the kind is unknown or the value is not an object.
    static func decode(_ value: Value, _ diagnostics: Diagnostics) -> TypedObject? {
        guard case .object = value else {
            diagnostics.error(.invalidType, FieldPath(), "a manifest must be an object, got \(value.typeName)")
            return nil
        }
        guard let kind = value["kind"]?.stringValue, !kind.isEmpty else {
            diagnostics.error(
                .required, "kind",
                "kind is required (supported: \(ResourceKind.supportedList)); if this file is not a Kubernetes "
                    + "manifest, leave it out with a line in \(PathFilter.ignoreFileName) or with --exclude")
            return nil
        }
        guard value["apiVersion"]?.stringValue?.isEmpty == false else {
            diagnostics.error(
                .required, "apiVersion",
                "apiVersion is required; if this file is not a Kubernetes manifest, leave it out with a line in "
                    + "\(PathFilter.ignoreFileName) or with --exclude")
            return nil
        }
        let path = FieldPath()
        switch kind {
        case "Namespace": return Namespace.decode(value, at: path, diagnostics).map(TypedObject.namespace)
        case "ConfigMap": return ConfigMap.decode(value, at: path, diagnostics).map(TypedObject.configMap)
        case "Secret": return Secret.decode(value, at: path, diagnostics).map(TypedObject.secret)
        case "Pod": return Pod.decode(value, at: path, diagnostics).map(TypedObject.pod)
        case "Service": return Service.decode(value, at: path, diagnostics).map(TypedObject.service)
        case "Endpoints": return Endpoints.decode(value, at: path, diagnostics).map(TypedObject.endpoints)
        case "Deployment": return Deployment.decode(value, at: path, diagnostics).map(TypedObject.deployment)
        case "ReplicaSet": return ReplicaSet.decode(value, at: path, diagnostics).map(TypedObject.replicaSet)
        case "Ingress": return Ingress.decode(value, at: path, diagnostics).map(TypedObject.ingress)
        default:
            diagnostics.error(
                .unknownKind, "kind", "unsupported kind \"\(kind)\"; supported kinds: \(ResourceKind.supportedList)")
            return nil
        }
    }
}
