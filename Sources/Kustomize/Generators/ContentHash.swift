import API

/// The name suffix Kustomize gives generated ConfigMaps and Secrets, byte for byte.
///
/// Kustomize hashes a small JSON document of the object's kind, type and data (as Go's `encoding/json`
/// writes it: keys sorted, `<`, `>` and `&` escaped) and keeps the first ten hex digits, with the
/// characters that could spell words (`0 1 3 a e`) swapped for letters. Its lookup of the name never
/// finds one, so `name` is always empty in the hashed document; we reproduce that so names match.
enum ContentHash {
    static func suffix(for resource: Value) -> String {
        let kind = resource["kind"]?.stringValue ?? ""
        var document: [(String, [UInt8])] = [("kind", goJSON(.string(kind))), ("name", goJSON(.string("")))]
        let fields = kind == "Secret" ? ["data", "stringData", "type"] : ["data", "binaryData"]
        for field in fields {
            let member = resource[field]
            let optional = field == "binaryData" || field == "stringData"
            switch member {
            case .object(let members)?:
                document.append((field, goJSON(.object(members))))
            case let scalar? where scalar != .null:
                if !optional { document.append((field, goJSON(.string(scalar.stringValue ?? "")))) }
            default:
                if !optional { document.append((field, goJSON(.string("")))) }
            }
        }
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        for (index, (key, encoded)) in document.sorted(by: { $0.0 < $1.0 }).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += goJSON(.string(key)) + [UInt8(ascii: ":")] + encoded
        }
        bytes.append(UInt8(ascii: "}"))
        return encode(SHA256.hex(bytes))
    }

    /// The first ten hex digits with `0 1 3 a e` replaced by `g h k m t`.
    static func encode(_ hex: String) -> String {
        String(
            hex.prefix(10).map { character -> Character in
                switch character {
                case "0": "g"
                case "1": "h"
                case "3": "k"
                case "a": "m"
                case "e": "t"
                default: character
                }
            })
    }

    /// JSON as Go's `encoding/json` writes it: sorted keys, HTML-safe escapes, U+2028 and U+2029 escaped.
    static func goJSON(_ value: Value) -> [UInt8] {
        switch value {
        case .object(let members):
            var bytes: [UInt8] = [UInt8(ascii: "{")]
            for (index, key) in members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += goJSON(.string(key)) + [UInt8(ascii: ":")] + goJSON(members[key] ?? .null)
            }
            bytes.append(UInt8(ascii: "}"))
            return bytes
        case .string(let string):
            var bytes: [UInt8] = [UInt8(ascii: "\"")]
            let hexDigits = Array("0123456789abcdef".utf8)
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": bytes += Array("\\\"".utf8)
                case "\\": bytes += Array("\\\\".utf8)
                case "\n": bytes += Array("\\n".utf8)
                case "\r": bytes += Array("\\r".utf8)
                case "\t": bytes += Array("\\t".utf8)
                case "<", ">", "&", "\u{2028}", "\u{2029}":
                    let code = scalar.value
                    bytes += Array("\\u".utf8) + [12, 8, 4, 0].map { hexDigits[Int((code >> UInt32($0)) & 0xF)] }
                default:
                    if scalar.value < 0x20 {
                        bytes += Array("\\u00".utf8) + [hexDigits[Int(scalar.value >> 4)], hexDigits[Int(scalar.value & 0xF)]]
                    } else {
                        bytes += Array(String(scalar).utf8)
                    }
                }
            }
            bytes.append(UInt8(ascii: "\""))
            return bytes
        default:
            return value.jsonBytes
        }
    }
}
