/// A field that holds a number or a string (`targetPort: 8080` or `targetPort: http`, `maxSurge: 25%`).
///
/// Kept as written: `1` and `"1"` are different values (Kubernetes tells them apart too).
public enum IntOrString: Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral, ExpressibleByStringLiteral
{
    case int(Int)
    case string(String)

    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    public var description: String {
        switch self {
        case .int(let int): String(int)
        case .string(let string): string
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let int = try? container.decode(Int.self) { self = .int(int) } else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let int): try container.encode(int)
        case .string(let string): try container.encode(string)
        }
    }
}

extension IntOrString: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> IntOrString? {
        if let int = value.intValue { return .int(Int(int)) }
        if case .string(let string) = value { return .string(string) }
        typeMismatch("integer or string", value, path, diagnostics)
        return nil
    }

    func toValue() -> Value {
        switch self {
        case .int(let int): .int(Int64(int))
        case .string(let string): .string(string)
        }
    }
}
