/// A typed object of one of the kinds gitopsd supports (Deployment, Service, ...).
///
/// Every kind is a value type shaped `metadata` + `spec` (or data) + `status`, and converts both ways with
/// `Value`, the form the store keeps: `init(_:)` decodes strictly (a field Kubernetes does not define is an
/// error, a field gitopsd does not act on is kept), `toValue()` encodes with `apiVersion` and `kind` set and
/// empty fields left out.
public protocol KubernetesObject: Sendable, Hashable {
    /// The kind's registry entry: name, API version, scope, aliases.
    static var resource: ResourceKind { get }
    var metadata: ObjectMeta { get set }
    /// Decodes an object, strictly.
    /// - Throws: the first problem found, as an `APIError` naming the field path (see `ObjectDecoding`
    ///   for every problem at once).
    init(_ value: Value) throws(APIError)
    /// The object as a `Value`, with `apiVersion` and `kind`.
    func toValue() -> Value
}

extension KubernetesObject {
    /// The object's key: kind, namespace and name.
    public var key: ObjectKey {
        ObjectKey(kind: Self.resource.kind, namespace: metadata.namespace, name: metadata.name)
    }
}

/// Strict decoding that reports every problem, shared by the kinds' `init(_:)` and the loader.
enum ObjectDecoding {
    static func decode<T: ValueDecodable>(_ type: T.Type, _ value: Value) throws(APIError) -> T {
        let diagnostics = Diagnostics()
        let decoded = T.decode(value, at: FieldPath(), diagnostics)
        if let first = diagnostics.errors.first { throw first }
        guard let decoded else { throw APIError(.invalidType, "expected an object") }
        return decoded
    }
}

extension ObjectReader {
    /// Checks `apiVersion` and `kind` against `resource` (both must be present and match).
    func checkTypeMeta(_ resource: ResourceKind) {
        let apiVersion: String? = self("apiVersion")
        let kind: String? = self("kind")
        if let apiVersion, apiVersion != resource.apiVersion {
            diagnostics.error(
                .unknownKind, path.child("apiVersion"),
                "\(resource.kind) is served as apiVersion \"\(resource.apiVersion)\", not \"\(apiVersion)\"")
        }
        if let kind, kind != resource.kind {
            diagnostics.error(.unknownKind, path.child("kind"), "expected kind \(resource.kind), got \(kind)")
        }
    }
}

extension ObjectWriter {
    /// Starts an object's encoding with `apiVersion`, `kind` and `metadata`.
    init(resource: ResourceKind, metadata: ObjectMeta) {
        self.init(capacity: 5)
        members["apiVersion"] = .string(resource.apiVersion)
        members["kind"] = .string(resource.kind)
        members["metadata"] = metadata.toValue()
    }

    /// Sets `key` unless `value` encodes to an empty object.
    mutating func setNonEmpty<T: ValueEncodable>(_ key: String, _ value: T?) {
        guard let value else { return }
        let encoded = value.toValue()
        if encoded == .object([:]) { return }
        members[key] = encoded
    }
}

extension Int {
    /// `nil` for zero: the integer fields Kubernetes marks `omitempty`.
    var nonZero: Int? { self == 0 ? nil : self }
}
