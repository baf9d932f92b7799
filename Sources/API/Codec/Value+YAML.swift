/// Block-style YAML output of a `Value`, the way kubectl prints objects (`-o yaml`): keys sorted, list
/// items at their key's indentation, strings quoted only when they would otherwise read back as something
/// else (`"true"`, `"80"`, `"null"`, `""`, leading indicators, `: `).
extension Value {
    /// The value as a YAML document (ends with a newline). Reading it back gives an equal value.
    public var yamlString: String {
        var output = ""
        switch self {
        case .object(let members) where !members.isEmpty:
            Value.emitMembers(members, indent: 0, firstPrefix: nil, into: &output)
        case .array(let elements) where !elements.isEmpty:
            Value.emitElements(elements, indent: 0, into: &output)
        default:
            output = scalarYAML + "\n"
        }
        return output
    }

    private var scalarYAML: String {
        switch self {
        case .null: "null"
        case .bool(let bool): bool ? "true" : "false"
        case .int, .double: String(decoding: jsonBytes, as: UTF8.self)
        case .string(let string): Value.yamlScalar(string)
        case .array: "[]"
        case .object: "{}"
        }
    }

    private var isBlock: Bool {
        switch self {
        case .object(let members): !members.isEmpty
        case .array(let elements): !elements.isEmpty
        default: false
        }
    }

    private static func emitMembers(_ members: [String: Value], indent: Int, firstPrefix: String?, into output: inout String) {
        let pad = String(repeating: " ", count: indent)
        for (index, key) in members.keys.sorted(by: utf8Less).enumerated() {
            guard let member = members[key] else { continue }
            output += (index == 0 ? firstPrefix ?? pad : pad) + yamlScalar(key) + ":"
            switch member {
            case .object(let children) where !children.isEmpty:
                output += "\n"
                emitMembers(children, indent: indent + 2, firstPrefix: nil, into: &output)
            case .array(let elements) where !elements.isEmpty:
                output += "\n"
                emitElements(elements, indent: indent, into: &output)
            default:
                output += " " + member.scalarYAML + "\n"
            }
        }
    }

    private static func emitElements(_ elements: [Value], indent: Int, into output: inout String) {
        let pad = String(repeating: " ", count: indent)
        for element in elements {
            switch element {
            case .object(let members) where !members.isEmpty:
                emitMembers(members, indent: indent + 2, firstPrefix: pad + "- ", into: &output)
            case .array(let nested) where !nested.isEmpty:
                output += pad + "-\n"
                emitElements(nested, indent: indent + 2, into: &output)
            default:
                output += pad + "- " + element.scalarYAML + "\n"
            }
        }
    }

    /// A string as a YAML scalar: plain when it reads back as the same string, double-quoted otherwise.
    static func yamlScalar(_ string: String) -> String {
        if needsQuotes(string) {
            var bytes: [UInt8] = []
            appendJSONString(string, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        return string
    }

    private static func needsQuotes(_ string: String) -> Bool {
        guard let first = string.utf8.first, let last = string.utf8.last else { return true }
        if case .value(.string(let resolved)) = YAMLScalar.resolvePlain(string), resolved == string {} else { return true }
        if "-?:,[]{}#&*!|>'\"%@` \t".utf8.contains(first) || last == UInt8(ascii: " ") || last == UInt8(ascii: ":") {
            return true
        }
        if string.contains(": ") || string.contains(" #") { return true }
        return string.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }
}

extension Value {
    /// Parses YAML (or JSON) text into one value per non-empty document, with the loader's default limits
    /// on depth and alias expansion. For configuration files; manifests go through `ManifestLoader`.
    /// - Throws: `APIError` naming `file`, line and column; duplicate keys are errors here too.
    public static func documents(yaml bytes: [UInt8], file: String) throws(APIError) -> [Value] {
        let defaults = ManifestLoader.Configuration()
        let limits = YAMLReader.Limits(maximumDepth: defaults.maximumDepth, maximumAliasNodes: defaults.maximumAliasNodes)
        let (documents, problems) = try YAMLReader.read(bytes, file: file, limits: limits)
        if let problem = problems.first { throw problem }
        return documents.map(\.value)
    }
}

/// One YAML document with the map of where each of its fields was written.
public struct LocatedDocument: Sendable, Hashable {
    public var value: Value
    public var sourceMap: SourceMap

    public init(value: Value, sourceMap: SourceMap) {
        self.value = value
        self.sourceMap = sourceMap
    }
}

extension Value {
    /// Parses YAML (or JSON) text like `documents(yaml:file:)`, keeping each document's source map, for
    /// renderers (Kustomize) that transform manifests and still report problems at file:line:col.
    /// - Throws: `APIError` naming `file`, line and column; duplicate keys are errors here too.
    public static func locatedDocuments(yaml bytes: [UInt8], file: String) throws(APIError) -> [LocatedDocument] {
        let defaults = ManifestLoader.Configuration()
        let limits = YAMLReader.Limits(maximumDepth: defaults.maximumDepth, maximumAliasNodes: defaults.maximumAliasNodes)
        let (documents, problems) = try YAMLReader.read(bytes, file: file, limits: limits)
        if let problem = problems.first { throw problem }
        return documents.map { LocatedDocument(value: $0.value, sourceMap: $0.sourceMap) }
    }
}
