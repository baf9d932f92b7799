/// The four kinds of git object, numbered as pack entries number them.
enum GitObjectKind: UInt8, Sendable {
    case commit = 1
    case tree = 2
    case blob = 3
    case tag = 4
}
