/// The one path every write takes before it is stored: decode strictly, apply Kubernetes' defaults, validate —
/// what an API server's admission chain does for built-in kinds.
///
/// The manifest loader runs it on every manifest (so `gitopsd validate`, `apply` and the GitOps loop report the
/// same problems, with file, line and column from the source map), and the store runs it on every create and
/// update (so a controller, a CLI command or the coming HTTP API cannot store what a manifest could not). Field
/// paths in the problems are relative to the object; callers that know where the object came from add the
/// location.
public enum Admission {
    /// What admission made of one object.
    public struct Review: Sendable {
        /// The object as decoded (before defaulting); `nil` when it does not decode or its kind is unknown.
        public var object: TypedObject?
        /// The object with defaults applied; `nil` when it does not decode.
        public var defaulted: TypedObject?
        /// Problems that refuse the object, each with its field path.
        public var errors: [APIError]
        /// Problems that do not.
        public var warnings: [APIError]

        public var isAdmitted: Bool { errors.isEmpty && defaulted != nil }
    }

    /// Reviews `value`.
    /// - Parameters:
    ///   - validates: run validation after defaulting (the loader's `validates` setting); decoding always runs.
    ///   - isManifest: `status` in a manifest is ignored with a warning; stored objects carry one legitimately.
    public static func review(_ value: Value, validates: Bool = true, isManifest: Bool = false) -> Review {
        let diagnostics = Diagnostics()
        guard let object = TypedObject.decode(value, diagnostics) else {
            return Review(object: nil, defaulted: nil, errors: diagnostics.errors, warnings: diagnostics.warnings)
        }
        if isManifest, let status = value["status"], status != .null, status != .object([:]) {
            diagnostics.warning(.ignored, "status", "status is ignored in manifests")
        }
        let defaulted = object.defaulted()
        if validates { Validator(d: diagnostics).validate(defaulted) }
        return Review(object: object, defaulted: defaulted, errors: diagnostics.errors, warnings: diagnostics.warnings)
    }

    /// Whether admission knows `kind` (a built-in kind gitopsd serves); other kinds are not reviewed.
    public static func reviews(kind: String) -> Bool {
        ResourceKind.forKind(kind) != nil
    }
}
