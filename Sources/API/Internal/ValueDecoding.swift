/// Collects the problems found while decoding, validating or loading objects.
///
/// Paths are relative to the object; the loader turns them into file:line:col through the object's
/// `SourceMap`. A reference type so nested decoders can share it without threading `inout` everywhere.
final class Diagnostics {
    var errors: [APIError] = []
    var warnings: [APIError] = []

    func error(_ code: APIError.Code, _ path: FieldPath, _ message: String) {
        errors.append(APIError(code, message, field: path.string))
    }

    func warning(_ code: APIError.Code, _ path: FieldPath, _ message: String) {
        warnings.append(APIError(code, message, field: path.string))
    }
}

/// A type read from a `Value` strictly: wrong types and unknown fields are reported, not ignored.
protocol ValueDecodable {
    /// The decoded value, or `nil` when `value` has the wrong shape (the problem is in `diagnostics`).
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Self?
}

/// A type written to a `Value`, leaving out what Kubernetes leaves out (`omitempty`).
protocol ValueEncodable {
    func toValue() -> Value
    /// Whether the field is left out when encoding (empty lists and maps).
    var isOmitted: Bool { get }
}

extension ValueEncodable {
    var isOmitted: Bool { false }
}

typealias ValueCodable = ValueDecodable & ValueEncodable

func typeMismatch(_ expected: String, _ value: Value, _ path: FieldPath, _ diagnostics: Diagnostics) {
    diagnostics.error(.invalidType, path, "expected \(expected), got \(value.typeName)")
}

extension String: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> String? {
        guard case .string(let string) = value else {
            typeMismatch("string", value, path, diagnostics)
            return nil
        }
        return string
    }
    func toValue() -> Value { .string(self) }
}

extension Int: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Int? {
        guard let int = value.intValue else {
            if case .double = value {
                diagnostics.error(.invalidType, path, "expected integer, got a number with a fraction")
            } else {
                typeMismatch("integer", value, path, diagnostics)
            }
            return nil
        }
        return Int(int)
    }
    func toValue() -> Value { .int(Int64(self)) }
}

extension Bool: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Bool? {
        guard case .bool(let bool) = value else {
            typeMismatch("boolean", value, path, diagnostics)
            return nil
        }
        return bool
    }
    func toValue() -> Value { .bool(self) }
}

extension Value: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Value? { value }
    func toValue() -> Value { self }
}

extension Array: ValueDecodable where Element: ValueDecodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> [Element]? {
        guard case .array(let elements) = value else {
            typeMismatch("list", value, path, diagnostics)
            return nil
        }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            if let decoded = Element.decode(element, at: path.index(index), diagnostics) { result.append(decoded) }
        }
        return result
    }
}

extension Array: ValueEncodable where Element: ValueEncodable {
    func toValue() -> Value { .array(map { $0.toValue() }) }
    var isOmitted: Bool { isEmpty }
}

extension Dictionary: ValueDecodable where Key == String, Value: ValueDecodable {
    static func decode(_ value: API.Value, at path: FieldPath, _ diagnostics: Diagnostics) -> [String: Value]? {
        guard case .object(let members) = value else {
            typeMismatch("object", value, path, diagnostics)
            return nil
        }
        var result: [String: Value] = [:]
        result.reserveCapacity(members.count)
        for (key, member) in members {
            if case .null = member { continue }
            if let decoded = Value.decode(member, at: path.child(key), diagnostics) { result[key] = decoded }
        }
        return result
    }
}

extension Dictionary: ValueEncodable where Key == String, Value: ValueEncodable {
    func toValue() -> API.Value { .object(mapValues { $0.toValue() }) }
    var isOmitted: Bool { isEmpty }
}

/// Reads the members of one object, checking them against the fields its type defines.
struct ObjectReader {
    let members: [String: Value]
    let path: FieldPath
    let diagnostics: Diagnostics

    /// A reader over `value`, or `nil` when `value` is not an object (reported). Members that are not among
    /// `fields` or `retained` are reported as unknown; `retained` ones are kept by `retainedFields()`.
    init?(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics, type: String) {
        guard case .object(let members) = value else {
            typeMismatch("object (\(type))", value, path, diagnostics)
            return nil
        }
        self.members = members
        self.path = path
        self.diagnostics = diagnostics
    }

    /// Reports members that are neither `fields` nor `retained`.
    func checkFields(_ fields: Set<String>, retained: Set<String> = [], type: String) {
        guard members.count > 0 else { return }
        for key in members.keys where !fields.contains(key) && !retained.contains(key) {
            let known = (fields.union(retained)).sorted()
            var message = "unknown field \"\(key)\" in \(type)"
            if let suggestion = Self.closest(to: key, in: known) { message += " (did you mean \"\(suggestion)\"?)" }
            diagnostics.error(.unknownField, path.child(key), message)
        }
    }

    /// The members named in `retained` that are present, kept verbatim; each is reported as a warning.
    func retainedFields(_ retained: Set<String>, warn: Bool = true) -> [String: Value] {
        var result: [String: Value] = [:]
        for key in retained {
            guard let value = members[key], value != .null else { continue }
            result[key] = value
            if warn {
                diagnostics.warning(.retainedField, path.child(key), "accepted but not acted on by gitopsd")
            }
        }
        return result
    }

    /// The member `key` decoded as `T`; `nil` when absent, null or ill-typed. Empty strings read as absent
    /// (Kubernetes' `omitempty`).
    func callAsFunction<T: ValueDecodable>(_ key: String, as type: T.Type = T.self) -> T? {
        guard let value = members[key] else { return nil }
        if case .null = value { return nil }
        if case .string(let string) = value, string.isEmpty, T.self == String.self { return nil }
        return T.decode(value, at: path.child(key), diagnostics)
    }

    /// A list member; empty when absent.
    func list<T: ValueDecodable>(_ key: String, of type: T.Type = T.self) -> [T] {
        self(key, as: [T].self) ?? []
    }

    /// A map member (labels, data); empty when absent.
    func map<T: ValueDecodable>(_ key: String, of type: T.Type = T.self) -> [String: T] {
        self(key, as: [String: T].self) ?? [:]
    }

    /// A nested object decoded as `T`, or `nil`.
    func object<T: ValueDecodable>(_ key: String, as type: T.Type = T.self) -> T? {
        self(key, as: T.self)
    }

    static func closest(to key: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        let lowered = key.lowercased()
        for candidate in candidates {
            let distance = editDistance(Array(lowered.utf8), Array(candidate.lowercased().utf8))
            if distance <= max(1, candidate.count / 3), distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        return best?.0
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(
                    previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// Builds an object `Value`, leaving out absent members and empty lists and maps.
struct ObjectWriter {
    var members: [String: Value] = [:]

    init(capacity: Int = 8) { members.reserveCapacity(capacity) }

    init(retained: [String: Value]) { members = retained }

    subscript<T: ValueEncodable>(key: String) -> T? {
        get { nil }
        set {
            guard let newValue, !newValue.isOmitted else { return }
            members[key] = newValue.toValue()
        }
    }

    var value: Value { .object(members) }
}
