/// The four kinds of git object, numbered as pack entries number them.
enum GitObjectKind: UInt8, Sendable {
    case commit = 1
    case tree = 2
    case blob = 3
    case tag = 4
}

/// An object read from a pack: its kind and its whole contents.
struct PackedObject {
    var kind: GitObjectKind
    var bytes: [UInt8]
}
