/// A JSON-shaped data tree: what a manifest means once YAML syntax is gone.
///
/// Kubernetes reads YAML by converting it to JSON, so every object here is a JSON value; keeping that shape
/// lets the store, the diff and the canonical form work on one representation. Objects are unordered
/// (`[String: Value]`): two manifests that list keys in a different order are equal.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([Value])
    case object([String: Value])
}

extension Value {
    /// The member `key` of an object; `nil` for a missing key or a value that is not an object.
    public subscript(key: String) -> Value? {
        get {
            guard case .object(let members) = self else { return nil }
            return members[key]
        }
        set {
            guard case .object(var members) = self else {
                if let newValue { self = .object([key: newValue]) }
                return
            }
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The value at a path of object keys, creating intermediate objects on write.
    public subscript(path path: [String]) -> Value? {
        get {
            var current: Value? = self
            for key in path { current = current?[key] }
            return current
        }
        set {
            guard let first = path.first else {
                self = newValue ?? .null
                return
            }
            let rest = Array(path.dropFirst())
            if rest.isEmpty {
                self[first] = newValue
            } else {
                var child = self[first] ?? .object([:])
                child[path: rest] = newValue
                if case .object(let members) = child, members.isEmpty, newValue == nil {
                    self[first] = nil
                } else {
                    self[first] = child
                }
            }
        }
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The integer, when this is one (a double with no fraction counts, as JSON does not tell them apart).
    public var intValue: Int64? {
        switch self {
        case .int(let int): return int
        case .double(let double) where double.rounded() == double && abs(double) < 9.0e18: return Int64(double)
        default: return nil
        }
    }

    /// The boolean, when this is one.
    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    /// The members, when this is an object.
    public var objectValue: [String: Value]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [Value]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// A map of strings (labels, annotations, ConfigMap data), when every member is a string.
    public var stringMap: [String: String]? {
        guard case .object(let members) = self else { return nil }
        var result: [String: String] = [:]
        result.reserveCapacity(members.count)
        for (key, value) in members {
            guard case .string(let string) = value else { return nil }
            result[key] = string
        }
        return result
    }

    /// A short name for the value's type, for error messages ("expected string, got array").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension Value {
    /// A map of strings as an object value.
    public init(_ map: [String: String]) {
        self = .object(map.mapValues { .string($0) })
    }
}
