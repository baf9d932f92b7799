import API

/// Renders a Kustomize tree (Kustomize v5 semantics) from a `FileTree` into objects with source locations.
///
/// Rendering never touches the network or anything outside the tree: remote resources are refused, and so
/// is any path that climbs out of the repository root. Fields gitopsd does not implement are errors that
/// name the field, never silently ignored, because a GitOps engine that drops part of a kustomization
/// deploys something the author did not write. Thread-safe: a renderer holds only its configuration.
///
/// ```swift
/// let tree = try DirectoryFileTree(root: "deploy")
/// if KustomizeRenderer.isKustomization(directory: "overlays/prod", in: tree) {
///     let objects = try KustomizeRenderer().render(directory: "overlays/prod", in: tree)
/// }
/// ```
public struct KustomizeRenderer: Sendable {
    /// Limits; the defaults suit repositories of hand-written manifests.
    public struct Configuration: Sendable {
        /// Larger files are refused (default 4 MiB, as `ManifestLoader`).
        public var maximumFileSize = 4 << 20
        /// Deepest chain of kustomizations including one another (default 50).
        public var maximumDepth = 50

        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether `directory` holds a `kustomization.yaml`, `kustomization.yml` or `Kustomization` file.
    /// - Parameter directory: a tree path (`""` for the root).
    public static func isKustomization(directory: String, in tree: some FileTree) -> Bool {
        KustomizationParser.file(in: TreePath.lexicallyClean(directory), tree: tree) != nil
    }

    /// Renders the kustomization in `directory` into its objects, in Kustomize's output order (the order
    /// resources were read, generated objects after them).
    /// - Throws: `KustomizeError` with the file, line and column of the field at fault; its `apiError`
    ///   gives the same problem as an `APIError`.
    public func render(directory: String, in tree: some FileTree) throws(KustomizeError) -> [RenderedObject] {
        let directory = TreePath.lexicallyClean(directory)
        var build = Build(tree: tree, configuration: configuration)
        var resources = try build.accumulate(directory: directory, into: [], stack: [], component: false, location: nil)
        for index in resources.indices where resources[index].needsHashSuffix {
            let name = resources[index].name
            resources[index].previousNames.append(name)
            resources[index].name = name + "-" + ContentHash.suffix(for: resources[index].value)
        }
        NameReferenceFixer.fix(&resources)
        return resources.map { RenderedObject(value: $0.value, sourceMap: $0.sourceMap) }
    }

    /// `render` with the default configuration.
    public static func render(directory: String, in tree: some FileTree) throws(KustomizeError) -> [RenderedObject] {
        try KustomizeRenderer().render(directory: directory, in: tree)
    }

    /// Whether a resource entry names something remote (a URL or a git reference), which is refused.
    static func isRemote(_ path: String) -> Bool {
        let lowered = path.lowercased()
        return lowered.contains("://") || lowered.hasPrefix("git@") || lowered.hasPrefix("github.com/")
            || lowered.hasPrefix("gitlab.com/") || lowered.hasPrefix("bitbucket.org/") || lowered.contains("?ref=")
            || lowered.contains(".git//") || lowered.hasSuffix(".git")
    }
}
