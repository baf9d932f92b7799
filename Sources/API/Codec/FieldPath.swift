/// A path to a field inside an object, as users read it: `spec.template.spec.containers[0].image`.
///
/// Mapping keys that are plain identifiers are joined with dots; other keys (label keys such as
/// `app.kubernetes.io/name`) are written in brackets, `metadata.labels[app.kubernetes.io/name]`, as Kubernetes
/// does for map keys. The YAML reader and the validators build paths the same way, so a path from a
/// validation error finds its source location in a `SourceMap`.
public struct FieldPath: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The rendered path; empty for the object itself.
    public private(set) var string: String

    /// The root: the object itself.
    public init() { string = "" }

    /// A path from its rendered form (`"spec.replicas"`).
    public init(stringLiteral value: String) { string = value }

    /// A path from its rendered form.
    public init(_ rendered: String) { string = rendered }

    /// The path of the member `key` of the object at this path.
    public func child(_ key: String) -> FieldPath {
        var copy = self
        FieldPath.appendKey(key, to: &copy.string)
        return copy
    }

    /// The path of element `index` of the list at this path.
    public func index(_ index: Int) -> FieldPath {
        var copy = self
        copy.string += "[\(index)]"
        return copy
    }

    /// `other` resolved relative to this path (used for objects expanded out of a `List`).
    public func appending(_ other: FieldPath) -> FieldPath {
        if other.string.isEmpty { return self }
        if string.isEmpty { return other }
        if other.string.utf8.first == UInt8(ascii: "[") { return FieldPath(string + other.string) }
        return FieldPath(string + "." + other.string)
    }

    /// The enclosing path (`a.b[0]` -> `a.b`), or `nil` at the root.
    public var parent: FieldPath? {
        if string.isEmpty { return nil }
        let bytes = Array(string.utf8)
        var cut = 0
        if bytes.last == UInt8(ascii: "]") {
            cut = bytes.lastIndex(of: UInt8(ascii: "[")) ?? 0
        } else if let dot = bytes.lastIndex(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "]") }) {
            cut = bytes[dot] == UInt8(ascii: "]") ? dot + 1 : dot
        }
        return FieldPath(String(decoding: bytes[0..<cut], as: UTF8.self))
    }

    public var description: String { string }

    public static func < (lhs: FieldPath, rhs: FieldPath) -> Bool { lhs.string < rhs.string }

    /// Appends one key in the rendered form; shared with the YAML reader, which builds paths as strings.
    static func appendKey(_ key: String, to path: inout String) {
        if isIdentifier(key) {
            if !path.isEmpty { path += "." }
            path += key
        } else {
            path += "[" + key + "]"
        }
    }

    static func isIdentifier(_ key: String) -> Bool {
        if key.isEmpty { return false }
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "$"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
