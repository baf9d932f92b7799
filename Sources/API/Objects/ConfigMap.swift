/// `v1` ConfigMap: configuration as string (and binary) key/value pairs.
public struct ConfigMap: KubernetesObject {
    public static let resource = ResourceKind.configMap
    public var metadata = ObjectMeta()
    public var data: [String: String] = [:]
    /// Decoded bytes; base64 in YAML and JSON.
    public var binaryData: [String: [UInt8]] = [:]
    public var immutable: Bool?

    public init(metadata: ObjectMeta = ObjectMeta(), data: [String: String] = [:]) {
        self.metadata = metadata
        self.data = data
    }

    public init(_ value: Value) throws(APIError) { self = try ObjectDecoding.decode(Self.self, value) }
}

extension ConfigMap: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ConfigMap? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ConfigMap") else { return nil }
        r.checkFields(["apiVersion", "kind", "metadata", "data", "binaryData", "immutable"], type: "ConfigMap")
        r.checkTypeMeta(resource)
        var c = ConfigMap(metadata: r.object("metadata") ?? ObjectMeta(), data: r.map("data"))
        c.binaryData = Base64Map.decode(r, "binaryData")
        c.immutable = r("immutable")
        return c
    }

    public func toValue() -> Value {
        var w = ObjectWriter(resource: Self.resource, metadata: metadata)
        w["data"] = data
        w["binaryData"] = binaryData.mapValues { Base64.encode($0) }
        w["immutable"] = immutable
        return w.value
    }
}

/// Maps of base64-encoded bytes (`Secret.data`, `ConfigMap.binaryData`).
enum Base64Map {
    static func decode(_ r: ObjectReader, _ key: String) -> [String: [UInt8]] {
        let encoded: [String: String] = r.map(key)
        var result: [String: [UInt8]] = [:]
        for (name, text) in encoded {
            if let bytes = Base64.decode(text) {
                result[name] = bytes
            } else {
                r.diagnostics.error(
                    .invalidValue, r.path.child(key).child(name), "value is not valid base64 (standard alphabet, padded)")
            }
        }
        return result
    }
}
