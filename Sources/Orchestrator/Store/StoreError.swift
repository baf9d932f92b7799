public import API

/// The one error type of the object store: what went wrong, for which object, and the underlying cause.
///
/// Codes map one to one onto the Kubernetes API's status reasons, so an HTTP front end can translate them
/// (`notFound` 404, `alreadyExists`/`conflict` 409, `expired` 410, `invalid` 422, `forbidden` 403).
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; stable, so callers and tests can match on it.
    public enum Code: String, Sendable, Hashable, Codable {
        /// The object does not exist.
        case notFound
        /// A create named an object that exists.
        case alreadyExists
        /// The expected `resourceVersion` (or uid) no longer matches: re-read and retry.
        case conflict
        /// A watch asked for history that was compacted, or could not keep up: re-list, then watch from the
        /// list's revision.
        case expired
        /// The object is malformed (missing name, server fields set on create, ...).
        case invalid
        /// A namespaced object names a namespace that does not exist.
        case namespaceNotFound
        /// The operation is not allowed (deleting the `default` namespace).
        case forbidden
        /// SQLite or the file system failed; the message carries the underlying error.
        case io
        /// The store was closed.
        case closed
    }

    public var code: Code
    public var message: String
    /// The object the error concerns, when there is one.
    public var key: ObjectKey?
    /// The underlying error's description (SQLite's message for `io`).
    public var cause: String?

    public init(_ code: Code, _ message: String, key: ObjectKey? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.key = key
        self.cause = cause
    }

    /// `code: KEY: message (cause)`, leaving out the parts that are unknown.
    public var description: String {
        var text = "\(code.rawValue): "
        if let key { text += "\(key): " }
        text += message
        if let cause { text += " (\(cause))" }
        return text
    }

    static func notFound(_ key: ObjectKey) -> StoreError {
        StoreError(.notFound, "\(key.kind.lowercased()) \"\(key.name)\" not found", key: key)
    }

    static func conflict(_ key: ObjectKey) -> StoreError {
        StoreError(
            .conflict,
            "Operation cannot be fulfilled on \(key.kind.lowercased()) \"\(key.name)\": the object has been "
                + "modified; please apply your changes to the latest version and try again",
            key: key)
    }

    static func expired(_ message: String) -> StoreError {
        StoreError(.expired, message)
    }
}
