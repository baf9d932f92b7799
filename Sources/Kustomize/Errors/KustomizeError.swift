public import API

/// The one error type of the `Kustomize` module: why a kustomization could not be rendered, and where.
///
/// Every error names the file, line and column of the field at fault when one is known (the kustomization
/// field, the resource entry, the patch), so a user can fix a repository without reading our code.
public struct KustomizeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong; stable so callers and tests can match on it.
    public enum Code: String, Sendable, Hashable {
        /// A kustomization field that Kustomize does not have.
        case unknownField
        /// A Kustomize field that gitopsd deliberately does not implement (yet).
        case unsupportedField
        /// A field has the wrong type or a value Kustomize refuses.
        case invalidValue
        /// A file or directory that is named but does not exist.
        case notFound
        /// A path that leaves the repository root (`../..`, an absolute path, a symlink out).
        case outsideRoot
        /// A URL or git reference as a resource: rendering never reaches the network.
        case remoteResource
        /// A kustomization that includes itself, directly or through others.
        case cycle
        /// A patch whose target does not exist, or a JSON patch operation that cannot apply.
        case patchFailed
        /// Two resources with the same kind, namespace and name, or a generator clash.
        case conflict
        /// YAML that does not parse, or a file larger than the limit.
        case syntax
        /// Reading the tree failed.
        case io
    }

    public var code: Code
    public var message: String
    public var location: SourceLocation?

    public init(_ code: Code, _ message: String, location: SourceLocation? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// `FILE:LINE:COL: message`, or just the message when the place is unknown.
    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }

    /// The same problem as the API module's error, for callers that report manifest problems uniformly.
    public var apiError: APIError {
        let apiCode: APIError.Code =
            switch code {
            case .unknownField: .unknownField
            case .syntax: .syntax
            case .io, .notFound: .io
            default: .invalidValue
            }
        return APIError(apiCode, message, location: location)
    }

    /// Wraps an API error (YAML syntax, limits) keeping its location.
    init(_ error: APIError) {
        self.init(error.code == .limitExceeded || error.code == .syntax ? .syntax : .invalidValue, error.message, location: error.location)
    }
}
