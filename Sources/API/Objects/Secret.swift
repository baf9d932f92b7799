/// `v1` Secret: sensitive key/value pairs. Never log `data` or `stringData`.
public struct Secret: KubernetesObject {
    public static let resource = ResourceKind.secret
    public var metadata = ObjectMeta()
    /// Decoded bytes; base64 in YAML and JSON.
    public var data: [String: [UInt8]] = [:]
    /// Write-only convenience; defaulting merges it into `data` (it wins on a clash) and clears it.
    public var stringData: [String: String] = [:]
    /// `Opaque` by default; `kubernetes.io/tls`, `kubernetes.io/basic-auth`, ...
    public var type: String?
    public var immutable: Bool?

    public init(metadata: ObjectMeta = ObjectMeta()) { self.metadata = metadata }

    public init(_ value: Value) throws(APIError) { self = try ObjectDecoding.decode(Self.self, value) }
}

extension Secret: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Secret? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Secret") else { return nil }
        r.checkFields(["apiVersion", "kind", "metadata", "data", "stringData", "type", "immutable"], type: "Secret")
        r.checkTypeMeta(resource)
        var s = Secret(metadata: r.object("metadata") ?? ObjectMeta())
        s.data = Base64Map.decode(r, "data")
        s.stringData = r.map("stringData")
        s.type = r("type")
        s.immutable = r("immutable")
        return s
    }

    public func toValue() -> Value {
        var w = ObjectWriter(resource: Self.resource, metadata: metadata)
        w["data"] = data.mapValues { Base64.encode($0) }
        w["stringData"] = stringData
        w["type"] = type
        w["immutable"] = immutable
        return w.value
    }
}
