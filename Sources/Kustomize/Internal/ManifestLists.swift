import API

/// `kind: List` (and `*List`) documents stand for their items, as in kubectl.
enum ManifestLists {
    static func expand(_ value: Value, _ sourceMap: SourceMap) -> [(Value, SourceMap)] {
        guard let kind = value["kind"]?.stringValue, kind.hasSuffix("List"), case .array(let items)? = value["items"] else {
            return [(value, sourceMap)]
        }
        return items.map { ($0, sourceMap) }
    }
}
