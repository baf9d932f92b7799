public import API

/// One object out of a kustomization: its final value and where it was written.
///
/// The source map is the one of the document the object came from (a resource file, or the kustomization
/// for generated objects), so a validation error in the rendered object still points at file:line:col.
public struct RenderedObject: Sendable, Hashable {
    public var value: Value
    public var sourceMap: SourceMap

    public init(value: Value, sourceMap: SourceMap) {
        self.value = value
        self.sourceMap = sourceMap
    }

    /// Where the object starts.
    public var location: SourceLocation? { sourceMap.location(of: FieldPath()) }

    /// The object as a manifest file for `ManifestLoader` (one YAML document).
    public var manifestText: String { value.yamlString }
}
