import API
import Foundation

/// Builds the ConfigMaps and Secrets of `configMapGenerator` and `secretGenerator`.
struct DataGenerator {
    let tree: any FileTree
    let limit: Int
    let kustomization: Kustomization

    /// The generated object, not yet merged with existing ones and without its hash suffix.
    func generate(_ generator: Kustomization.Generator) throws(KustomizeError) -> Resource {
        var data: [(String, String, SourceLocation?)] = []
        var binary: [(String, [UInt8], SourceLocation?)] = []
        for entry in generator.envs {
            let path = try resolveFile(entry)
            let bytes = try tree.read(path, limit: limit)
            for (key, value) in try Self.parseEnvFile(bytes, file: path) { data.append((key, value, entry.location)) }
        }
        for entry in generator.literals {
            guard let equals = entry.path.firstIndex(of: "="), equals != entry.path.startIndex else {
                throw KustomizeError(.invalidValue, "literal \(entry.path): expected KEY=VALUE", location: entry.location)
            }
            let key = String(entry.path[..<equals])
            data.append((key, Self.unquote(String(entry.path[entry.path.index(after: equals)...])), entry.location))
        }
        for entry in generator.files {
            var key: String?
            var relative = entry.path
            if let equals = entry.path.firstIndex(of: "=") {
                key = String(entry.path[..<equals])
                relative = String(entry.path[entry.path.index(after: equals)...])
                if key?.isEmpty ?? true || relative.isEmpty {
                    throw KustomizeError(.invalidValue, "file \(entry.path): expected [KEY=]PATH", location: entry.location)
                }
            }
            let path = try resolveFile(Kustomization.Entry(path: relative, location: entry.location))
            let bytes = try tree.read(path, limit: limit)
            let name = key ?? TreePath.base(of: path)
            if generator.kind == "ConfigMap", let text = String(validating: bytes, as: UTF8.self) {
                data.append((name, text, entry.location))
            } else {
                binary.append((name, bytes, entry.location))
            }
        }
        var value: Value = ["apiVersion": "v1", "kind": .string(generator.kind), "metadata": ["name": .string(generator.name)]]
        if let namespace = generator.namespace { value[path: ["metadata", "namespace"]] = .string(namespace) }
        var seen = Set<String>()
        var dataMembers: [String: Value] = [:]
        var binaryMembers: [String: Value] = [:]
        for (key, text, location) in data {
            guard seen.insert(key).inserted else {
                throw KustomizeError(.conflict, "\(generator.name): key \(key) is given twice", location: location)
            }
            dataMembers[key] = .string(generator.kind == "Secret" ? Data(text.utf8).base64EncodedString() : text)
        }
        for (key, bytes, location) in binary {
            guard seen.insert(key).inserted else {
                throw KustomizeError(.conflict, "\(generator.name): key \(key) is given twice", location: location)
            }
            if generator.kind == "Secret" {
                dataMembers[key] = .string(Data(bytes).base64EncodedString())
            } else {
                binaryMembers[key] = .string(Data(bytes).base64EncodedString())
            }
        }
        if !dataMembers.isEmpty { value["data"] = .object(dataMembers) }
        if !binaryMembers.isEmpty { value["binaryData"] = .object(binaryMembers) }
        if generator.kind == "Secret" { value["type"] = .string(generator.type ?? "Opaque") }

        let global = kustomization.generatorOptions
        let local = generator.options ?? Kustomization.GeneratorOptions()
        let labels = global.labels.merging(local.labels) { $1 }
        let annotations = global.annotations.merging(local.annotations) { $1 }
        if !labels.isEmpty { value[path: ["metadata", "labels"]] = Value(labels) }
        if !annotations.isEmpty { value[path: ["metadata", "annotations"]] = Value(annotations) }
        if local.immutable ?? global.immutable ?? false { value["immutable"] = true }

        var resource = Resource(value: value, sourceMap: Self.sourceMap(at: generator.location, file: kustomization.file))
        // Either level can turn the hash off; a generator cannot turn it back on.
        resource.needsHashSuffix = !((global.disableNameSuffixHash ?? false) || (local.disableNameSuffixHash ?? false))
        return resource
    }

    /// A file named by a generator: inside the kustomization's directory, as Kustomize's loader requires.
    private func resolveFile(_ entry: Kustomization.Entry) throws(KustomizeError) -> String {
        let parser = KustomizationParser(tree: tree, limit: limit)
        return try parser.resolveFile(entry.path, in: kustomization.directory, location: entry.location)
    }

    /// `"value"` and `'value'` lose their quotes, as Kustomize does for literals.
    static func unquote(_ text: String) -> String {
        guard text.count >= 2, let first = text.first, first == text.last, first == "\"" || first == "'" else { return text }
        return String(text.dropFirst().dropLast())
    }

    /// `KEY=VALUE` lines; blank lines and `#` comments skipped.
    static func parseEnvFile(_ bytes: [UInt8], file: String) throws(KustomizeError) -> [(String, String)] {
        var content = bytes[...]
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        var result: [(String, String)] = []
        // Split on bytes: as Characters, "\r\n" is one grapheme and would never match "\n".
        for (number, rawLine) in content.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var lineBytes = rawLine
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
            let line = Substring(String(decoding: lineBytes, as: UTF8.self))
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw KustomizeError(.invalidValue, "\(trimmed): expected KEY=VALUE (values are never read from gitopsd's environment)", location: SourceLocation(file: file, line: number + 1, column: 1))
            }
            let key = String(trimmed[..<equals])
            if key.contains(where: { $0 == " " || $0 == "\t" }) || key.isEmpty {
                throw KustomizeError(.invalidValue, "\(key): not a valid key", location: SourceLocation(file: file, line: number + 1, column: 1))
            }
            result.append((key, String(trimmed[trimmed.index(after: equals)...])))
        }
        return result
    }

    /// A source map whose root is the generator entry, so errors in generated objects point at it.
    static func sourceMap(at location: SourceLocation?, file: String) -> SourceMap {
        guard let location else { return SourceMap(file: file) }
        return SourceMap(file: file, position: SourceMap.Position(line: Int32(location.line), column: Int32(location.column)))
    }
}
