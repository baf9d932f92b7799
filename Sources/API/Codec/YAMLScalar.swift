/// How a plain (unquoted) YAML scalar becomes a JSON value, the way Kubernetes reads manifests.
///
/// Kubernetes converts YAML to JSON with sigs.k8s.io/yaml, which resolves scalars with go-yaml v2's YAML 1.1
/// rules. We follow them, including the surprising ones, so that a manifest means here what it means to
/// `kubectl apply`:
/// - `true/True/TRUE`, `false/...`, and also `yes/no/on/off/y/n` in the same three casings are booleans
///   (`env: [{name: A, value: yes}]` is therefore a type error, as in Kubernetes; quote it);
/// - `~`, `null/Null/NULL` and the empty scalar are null;
/// - integers in Go syntax after removing `_`: decimal, `0x` hex, `0o` and leading-`0` octal (`0644` is 420),
///   `0b` binary; an integer beyond Int64 becomes a number;
/// - floats matching `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (so `08` is the number 8);
/// - `.inf`/`.nan` cannot be represented in JSON and are errors;
/// - everything else, and every quoted or block scalar, is a string. Timestamps stay strings (go-yaml v2
///   keeps them as strings when decoding into an untyped tree).
enum YAMLScalar {
    enum Resolution {
        case value(Value)
        case notRepresentable
    }

    static func resolvePlain(_ text: String) -> Resolution {
        var utf8 = text.utf8
        guard let first = utf8.first else { return .value(.null) }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return resolveNumber(text, &utf8)
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "y"), UInt8(ascii: "Y"),
            UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"),
            UInt8(ascii: "O"):
            guard utf8.count <= 5 else { return .value(.string(text)) }
            switch text {
            case "~", "null", "Null", "NULL": return .value(.null)
            case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .value(.bool(true))
            case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
                return .value(.bool(false))
            default: return .value(.string(text))
            }
        default:
            return .value(.string(text))
        }
    }

    /// A mapping key as sigs.k8s.io/yaml turns it into a JSON object key: resolved like a value, then printed.
    static func resolveKey(_ text: String) -> String {
        switch resolvePlain(text) {
        case .value(.bool(let bool)): return bool ? "true" : "false"
        case .value(.null): return text.isEmpty ? "" : "null"
        case .value(.int(let int)): return String(int)
        case .value(.double(let double)):
            return double.rounded() == double && abs(double) < 1e21 ? String(Int64(exactly: double) ?? 0) : "\(double)"
        default: return text
        }
    }

    private static func resolveNumber(_ text: String, _ utf8: inout String.UTF8View) -> Resolution {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
            return .notRepresentable
        default: break
        }
        var bytes = Array(utf8)
        if bytes.contains(UInt8(ascii: "_")) { bytes.removeAll { $0 == UInt8(ascii: "_") } }
        if let int = parseGoInteger(bytes) { return .value(int) }
        if isYAMLFloat(bytes), let double = Double(String(decoding: bytes, as: UTF8.self)), double.isFinite {
            return .value(.double(double))
        }
        return .value(.string(text))
    }

    /// `strconv.ParseInt(s, 0, 64)` then `ParseUint`: sign, base prefix, digits.
    private static func parseGoInteger(_ bytes: [UInt8]) -> Value? {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.count else { return nil }
        var base: UInt64 = 10
        if bytes[index] == UInt8(ascii: "0"), index + 1 < bytes.count {
            switch bytes[index + 1] {
            case UInt8(ascii: "x"), UInt8(ascii: "X"): base = 16; index += 2
            case UInt8(ascii: "o"), UInt8(ascii: "O"): base = 8; index += 2
            case UInt8(ascii: "b"), UInt8(ascii: "B"): base = 2; index += 2
            default: base = 8; index += 1
            }
            guard index < bytes.count else { return nil }
        }
        var magnitude: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < base else { return nil }
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: base)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 {
                // Beyond UInt64: Go's ParseInt and ParseUint both fail; the float rule may still apply.
                return nil
            }
            magnitude = sum
            index += 1
        }
        if negative {
            if magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
            if magnitude == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            return nil
        }
        if magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
        return .double(Double(magnitude))
    }

    /// go-yaml v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    private static func isYAMLFloat(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                index += 1
            }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                _ = digits()
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }
}
