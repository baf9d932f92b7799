import API

/// RFC 6902 JSON Patch over `Value`, with RFC 6901 pointers (`/spec/template/spec/containers/0/image`).
struct JSONPatch {
    /// One operation, with the index it had in the patch for messages.
    struct Operation {
        var op: String
        var path: [String]
        var from: [String]?
        var value: Value?
        var index: Int
    }

    var operations: [Operation]

    /// Reads a patch document: a list of `{op, path, [from], [value]}`.
    init(_ document: Value, file: String, location: SourceLocation?) throws(KustomizeError) {
        guard case .array(let elements) = document else {
            throw KustomizeError(.invalidValue, "a JSON 6902 patch is a list of operations, got \(document.typeName)", location: location)
        }
        operations = []
        for (index, element) in elements.enumerated() {
            guard let op = element["op"]?.stringValue, let path = element["path"]?.stringValue else {
                throw KustomizeError(.invalidValue, "operation \(index): needs op and path", location: location)
            }
            guard ["add", "remove", "replace", "move", "copy", "test"].contains(op) else {
                throw KustomizeError(.invalidValue, "operation \(index): unknown op \(op)", location: location)
            }
            if ["add", "replace", "test"].contains(op), element["value"] == nil {
                throw KustomizeError(.invalidValue, "operation \(index): \(op) needs a value", location: location)
            }
            let from = element["from"]?.stringValue
            if ["move", "copy"].contains(op), from == nil {
                throw KustomizeError(.invalidValue, "operation \(index): \(op) needs from", location: location)
            }
            operations.append(
                Operation(op: op, path: try Self.pointer(path, location), from: try from.map { (text) throws(KustomizeError) in try Self.pointer(text, location) }, value: element["value"], index: index))
        }
    }

    static func pointer(_ text: String, _ location: SourceLocation?) throws(KustomizeError) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else {
            throw KustomizeError(.invalidValue, "\(text): a JSON pointer starts with /", location: location)
        }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    /// Applies every operation in order.
    /// - Throws: `.patchFailed` naming the operation that could not apply.
    func apply(to document: Value, location: SourceLocation?, object: String) throws(KustomizeError) -> Value {
        var result = document
        for operation in operations {
            func fail(_ reason: String) -> KustomizeError {
                KustomizeError(.patchFailed, "\(object): operation \(operation.index) (\(operation.op) /\(operation.path.joined(separator: "/"))): \(reason)", location: location)
            }
            switch operation.op {
            case "add":
                guard Self.insert(operation.value ?? .null, at: operation.path[...], into: &result, replacing: false) else { throw fail("the parent does not exist") }
            case "replace":
                // Kustomize's JSON patch library lets replace add a missing member of an existing object.
                guard Self.insert(operation.value ?? .null, at: operation.path[...], into: &result, replacing: true) else { throw fail("no such field") }
            case "remove":
                guard Self.remove(operation.path[...], from: &result) != nil else { throw fail("no such field") }
            case "move":
                guard let from = operation.from, let moved = Self.remove(from[...], from: &result) else { throw fail("no such field to move") }
                guard Self.insert(moved, at: operation.path[...], into: &result, replacing: false) else { throw fail("the parent does not exist") }
            case "copy":
                guard let from = operation.from, let copied = Self.get(from[...], in: result) else { throw fail("no such field to copy") }
                guard Self.insert(copied, at: operation.path[...], into: &result, replacing: false) else { throw fail("the parent does not exist") }
            default:
                guard Self.get(operation.path[...], in: result) == operation.value else { throw fail("test failed") }
            }
        }
        return result
    }

    static func get(_ path: ArraySlice<String>, in value: Value) -> Value? {
        guard let head = path.first else { return value }
        switch value {
        case .object(let members): return members[head].flatMap { get(path.dropFirst(), in: $0) }
        case .array(let elements):
            guard let index = Int(head), elements.indices.contains(index) else { return nil }
            return get(path.dropFirst(), in: elements[index])
        default: return nil
        }
    }

    /// Adds (or, with `replacing`, replaces) at `path`; `-` appends to a list. Returns whether it could.
    static func insert(_ newValue: Value, at path: ArraySlice<String>, into value: inout Value, replacing: Bool) -> Bool {
        guard let head = path.first else {
            value = newValue
            return true
        }
        let rest = path.dropFirst()
        switch value {
        case .object(var members):
            if rest.isEmpty {
                members[head] = newValue
            } else {
                guard var child = members[head], insert(newValue, at: rest, into: &child, replacing: replacing) else { return false }
                members[head] = child
            }
            value = .object(members)
            return true
        case .array(var elements):
            if rest.isEmpty {
                if head == "-", !replacing {
                    elements.append(newValue)
                } else {
                    guard let index = Int(head), index >= 0, replacing ? index < elements.count : index <= elements.count else { return false }
                    if replacing { elements[index] = newValue } else { elements.insert(newValue, at: index) }
                }
            } else {
                guard let index = Int(head), elements.indices.contains(index), insert(newValue, at: rest, into: &elements[index], replacing: replacing) else { return false }
            }
            value = .array(elements)
            return true
        default:
            return false
        }
    }

    /// Removes and returns the value at `path`.
    static func remove(_ path: ArraySlice<String>, from value: inout Value) -> Value? {
        guard let head = path.first else { return nil }
        let rest = path.dropFirst()
        switch value {
        case .object(var members):
            guard var child = members[head] else { return nil }
            let removed: Value?
            if rest.isEmpty {
                removed = child
                members[head] = nil
            } else {
                removed = remove(rest, from: &child)
                members[head] = child
            }
            value = .object(members)
            return removed
        case .array(var elements):
            guard let index = Int(head), elements.indices.contains(index) else { return nil }
            let removed: Value?
            if rest.isEmpty {
                removed = elements.remove(at: index)
            } else {
                removed = remove(rest, from: &elements[index])
            }
            value = .array(elements)
            return removed
        default:
            return nil
        }
    }
}
