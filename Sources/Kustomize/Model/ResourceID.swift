/// Group, kind, namespace and name: two resources with the same ID cannot both be in a render.
struct ResourceID: Sendable, Hashable, Comparable, CustomStringConvertible {
    var group: String
    var kind: String
    var namespace: String
    var name: String

    var description: String {
        let kindPart = group.isEmpty ? kind : "\(kind).\(group)"
        return namespace.isEmpty ? "\(kindPart)/\(name)" : "\(kindPart)/\(namespace)/\(name)"
    }

    static func < (lhs: ResourceID, rhs: ResourceID) -> Bool {
        (lhs.kind, lhs.namespace, lhs.name, lhs.group) < (rhs.kind, rhs.namespace, rhs.name, rhs.group)
    }
}
