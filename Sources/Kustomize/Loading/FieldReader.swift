import API

/// Typed, located reads of one mapping in a kustomization, failing on anything it was not asked for.
///
/// Kustomize silently drops unknown fields; a GitOps engine must not, because a typo (`namePrefx`) would
/// deploy something other than what the author meant. Every accessor reports a wrong type at the field.
struct FieldReader {
    let value: Value
    let sourceMap: SourceMap
    let path: FieldPath

    init(value: Value, sourceMap: SourceMap, path: FieldPath = FieldPath()) {
        self.value = value
        self.sourceMap = sourceMap
        self.path = path
    }

    /// Where `key` (or this mapping itself, for `nil`) was written.
    func location(_ key: String? = nil) -> SourceLocation? {
        sourceMap.location(of: key.map { path.child($0) } ?? path)
    }

    /// The rendered path of `key`, for messages.
    func fieldName(_ key: String) -> String { path.child(key).string }

    /// The keys of this mapping.
    var keys: [String] { value.objectValue.map { Array($0.keys) } ?? [] }

    /// Fails on the first key (in source order) that is not in `allowed` or is in `unsupported`.
    func check(allowed: Set<String>, unsupported: [String: String] = [:], context: String) throws(KustomizeError) {
        guard let members = value.objectValue else {
            throw KustomizeError(.invalidValue, "\(path.string.isEmpty ? context : path.string): expected a mapping, got \(value.typeName)", location: location())
        }
        let ordered = members.keys.sorted { lhs, rhs in
            let left = location(lhs), right = location(rhs)
            return (left?.line ?? 0, left?.column ?? 0, lhs) < (right?.line ?? 0, right?.column ?? 0, rhs)
        }
        for key in ordered {
            if let reason = unsupported[key] {
                throw KustomizeError(.unsupportedField, "\(fieldName(key)): not supported by gitopsd: \(reason)", location: location(key))
            }
            if !allowed.contains(key) {
                throw KustomizeError(.unknownField, "\(fieldName(key)): unknown field in \(context)", location: location(key))
            }
        }
    }

    /// A member that is a mapping.
    func object(_ key: String) throws(KustomizeError) -> FieldReader? {
        guard let member = value[key], member != .null else { return nil }
        guard case .object = member else { throw typeError(key, "a mapping", member) }
        return FieldReader(value: member, sourceMap: sourceMap, path: path.child(key))
    }

    /// A member that is a list of mappings.
    func objects(_ key: String) throws(KustomizeError) -> [FieldReader] {
        guard let member = value[key], member != .null else { return [] }
        guard case .array(let elements) = member else { throw typeError(key, "a list", member) }
        var result: [FieldReader] = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.child(key).index(index)
            guard case .object = element else {
                throw KustomizeError(.invalidValue, "\(elementPath): expected a mapping, got \(element.typeName)", location: sourceMap.location(of: elementPath))
            }
            result.append(FieldReader(value: element, sourceMap: sourceMap, path: elementPath))
        }
        return result
    }

    /// A member that is a string (a number or boolean is an error, as in Kustomize).
    func string(_ key: String) throws(KustomizeError) -> String? {
        guard let member = value[key], member != .null else { return nil }
        guard let string = Self.scalarText(member) else { throw typeError(key, "a string", member) }
        return string
    }

    /// A member that is a boolean.
    func bool(_ key: String) throws(KustomizeError) -> Bool? {
        guard let member = value[key], member != .null else { return nil }
        guard let bool = member.boolValue else { throw typeError(key, "true or false", member) }
        return bool
    }

    /// A member that is an integer.
    func int(_ key: String) throws(KustomizeError) -> Int64? {
        guard let member = value[key], member != .null else { return nil }
        guard let int = member.intValue else { throw typeError(key, "an integer", member) }
        return int
    }

    /// A member that is a list of strings, each with where it was written.
    func strings(_ key: String) throws(KustomizeError) -> [(String, SourceLocation?)] {
        guard let member = value[key], member != .null else { return [] }
        guard case .array(let elements) = member else { throw typeError(key, "a list of strings", member) }
        var result: [(String, SourceLocation?)] = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.child(key).index(index)
            guard let string = Self.scalarText(element) else {
                throw KustomizeError(.invalidValue, "\(elementPath): expected a string, got \(element.typeName)", location: sourceMap.location(of: elementPath))
            }
            result.append((string, sourceMap.location(of: elementPath)))
        }
        return result
    }

    /// A member that is a map of strings (labels, annotations).
    func stringMap(_ key: String) throws(KustomizeError) -> [String: String] {
        guard let member = value[key], member != .null else { return [:] }
        guard case .object(let members) = member else { throw typeError(key, "a map of strings", member) }
        var result: [String: String] = [:]
        for (name, element) in members {
            guard let string = Self.scalarText(element) else {
                let elementPath = path.child(key).child(name)
                throw KustomizeError(.invalidValue, "\(elementPath): expected a string, got \(element.typeName)", location: sourceMap.location(of: elementPath))
            }
            result[name] = string
        }
        return result
    }

    private func typeError(_ key: String, _ expected: String, _ actual: Value) -> KustomizeError {
        KustomizeError(.invalidValue, "\(fieldName(key)): expected \(expected), got \(actual.typeName)", location: location(key))
    }

    /// The string of a string field. Kustomize refuses `nameSuffix: -2` (a number) for a string field, so we do
    /// too: quoting is the author's job, and guessing would render a name they did not write.
    static func scalarText(_ value: Value) -> String? {
        value.stringValue
    }
}
