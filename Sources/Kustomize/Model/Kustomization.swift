import API

/// A parsed `kustomization.yaml` (or `kind: Component`): what to read, generate and change, with where each
/// entry was written.
struct Kustomization: Sendable {
    /// A path named in `resources`, `bases`, `components` or a patch, with its location.
    struct Entry: Sendable {
        var path: String
        var location: SourceLocation?
    }

    /// One entry of `labels`.
    struct LabelSet: Sendable {
        var pairs: [String: String]
        var includeSelectors: Bool
        var includeTemplates: Bool
    }

    /// One entry of `images`.
    struct ImageRule: Sendable {
        var name: String
        var newName: String?
        var newTag: String?
        var digest: String?
    }

    /// One entry of `replicas`.
    struct ReplicaRule: Sendable {
        var name: String
        var count: Int64
        var location: SourceLocation?
    }

    /// `generatorOptions`, or one generator's `options`.
    struct GeneratorOptions: Sendable {
        var labels: [String: String] = [:]
        var annotations: [String: String] = [:]
        var disableNameSuffixHash: Bool?
        var immutable: Bool?
    }

    /// One entry of `configMapGenerator` or `secretGenerator`.
    struct Generator: Sendable {
        var kind: String
        var name: String
        var namespace: String?
        var behavior: Resource.Behavior
        var literals: [Entry]
        var files: [Entry]
        var envs: [Entry]
        var type: String?
        var options: GeneratorOptions?
        var location: SourceLocation?
    }

    /// Which resources a patch applies to; every field that is set must match.
    struct Target: Sendable {
        var group: String?
        var version: String?
        var kind: String?
        var name: String?
        var namespace: String?
        var labelSelector: String?
        var annotationSelector: String?
    }

    /// A patch from `patches`, `patchesStrategicMerge` or `patchesJson6902`, not yet parsed.
    struct Patch: Sendable {
        /// The patch text (inline, or read from `path`).
        var text: [UInt8]
        /// The file to name in messages: the patch file, or the kustomization for an inline patch.
        var file: String
        var target: Target?
        var location: SourceLocation?
        /// Whether the patch must be JSON 6902 (`patchesJson6902`) rather than detected.
        var isJSON6902: Bool
    }

    var directory: String
    var file: String
    var isComponent: Bool
    var resources: [Entry] = []
    var components: [Entry] = []
    var namespace: String?
    var namePrefix: String?
    var nameSuffix: String?
    var commonLabels: [String: String] = [:]
    var labels: [LabelSet] = []
    var commonAnnotations: [String: String] = [:]
    var images: [ImageRule] = []
    var replicas: [ReplicaRule] = []
    var generators: [Generator] = []
    var generatorOptions = GeneratorOptions()
    var patchesStrategicMerge: [Patch] = []
    var patches: [Patch] = []
    var patchesJson6902: [Patch] = []
    var location: SourceLocation?
}
