import API

/// Visits the fields at a path such as `spec.template.spec.containers[].image`, where `[]` means every
/// element of a list, optionally creating missing mappings on the way, as Kustomize's field specs do.
enum FieldWalker {
    /// The segment that stands for every element of a list.
    static let eachElement = "[]"

    /// Calls `body` with each field at `path`; a missing field is passed as `.null` when `create` is set
    /// (and kept if `body` gives it a value), and skipped otherwise.
    static func update(_ value: inout Value, _ path: ArraySlice<String>, create: Bool, _ body: (inout Value) -> Void) {
        guard let head = path.first else {
            body(&value)
            return
        }
        let rest = path.dropFirst()
        if head == eachElement {
            guard case .array(var elements) = value else { return }
            for index in elements.indices { update(&elements[index], rest, create: create, body) }
            value = .array(elements)
            return
        }
        guard case .object(var members) = value else { return }
        if var child = members[head], child != .null {
            update(&child, rest, create: create, body)
            members[head] = child
        } else if create, !rest.contains(eachElement) {
            var child: Value = rest.isEmpty ? .null : .object([:])
            update(&child, rest, create: create, body)
            if child != .null { members[head] = child }
        } else {
            return
        }
        value = .object(members)
    }

    /// `update` with a dotted path (`spec.selector.matchLabels`, `spec.containers[].image`).
    static func update(_ value: inout Value, _ dotted: String, create: Bool, _ body: (inout Value) -> Void) {
        update(&value, segments(dotted)[...], create: create, body)
    }

    /// `a.b[].c` -> `["a", "b", "[]", "c"]`.
    static func segments(_ dotted: String) -> [String] {
        var result: [String] = []
        for part in dotted.split(separator: ".") {
            if part.hasSuffix("[]") {
                result.append(String(part.dropLast(2)))
                result.append(eachElement)
            } else {
                result.append(String(part))
            }
        }
        return result
    }

    /// Merges `pairs` into the string map at the visited field, creating it when it is `.null`.
    static func mergeStrings(_ pairs: [String: String]) -> (inout Value) -> Void {
        { field in
            var members = field.objectValue ?? [:]
            if field != .null, field.objectValue == nil { return }
            for (key, value) in pairs { members[key] = .string(value) }
            field = .object(members)
        }
    }
}
