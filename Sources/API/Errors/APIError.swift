/// The one error type of the `API` module: a problem with a manifest or an object.
///
/// It carries everything a user needs to find the problem without reading our code: the source location,
/// the object (`Kind/name`) and the field path (`spec.template.spec.containers[0].image`).
public struct APIError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of problem this is; stable, so scripts and tests can match on it.
    public enum Code: String, Sendable, Hashable, Codable {
        /// The text is not valid YAML or JSON.
        case syntax
        /// A mapping has the same key twice.
        case duplicateKey
        /// Input exceeds a configured limit (size, depth, alias expansion).
        case limitExceeded
        /// `apiVersion`/`kind` is not one gitopsd knows.
        case unknownKind
        /// A field the kind does not have (usually a typo).
        case unknownField
        /// A field has the wrong type (a string where a number belongs).
        case invalidType
        /// A field has a value its kind does not allow.
        case invalidValue
        /// A required field is missing.
        case required
        /// A label selector is malformed.
        case invalidSelector
        /// Two objects in one desired set share kind, namespace and name.
        case duplicateObject
        /// Reading a file failed.
        case io
        /// A field Kubernetes defines that gitopsd keeps but does not act on (a warning, not an error).
        case retainedField
        /// Something gitopsd ignores by design, such as `status` in a manifest (a warning).
        case ignored
    }

    public var code: Code
    public var message: String
    public var location: SourceLocation?
    /// The object, as `Kind/name` (or `Kind/namespace/name` where the namespace matters).
    public var object: String?
    /// The field path inside the object, dotted with `[index]` for list elements.
    public var field: String?

    public init(
        _ code: Code, _ message: String, location: SourceLocation? = nil, object: String? = nil,
        field: String? = nil
    ) {
        self.code = code
        self.message = message
        self.location = location
        self.object = object
        self.field = field
    }

    /// `FILE:LINE:COL: KIND/NAME: FIELD.PATH: message`, leaving out the parts that are unknown.
    public var description: String {
        var parts: [String] = []
        if let location { parts.append(location.description) }
        if let object { parts.append(object) }
        if let field, !field.isEmpty { parts.append(field) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
