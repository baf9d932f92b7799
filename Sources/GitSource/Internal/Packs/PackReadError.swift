/// Why the pack reader could not read an object itself.
///
/// Never shown to a user and never leaves the module: any of these sends the read to libgit2 instead, which
/// reads what the pack reader does not handle and reports real failures as a `GitSourceError`.
enum PackReadError: Error, Equatable {
    /// No pack holds the object (it is loose, in an alternate object database, or absent).
    case notInPacks
    /// A pack or index file could not be opened or mapped.
    case unreadable(String)
    /// Something this reader does not handle, such as an index version other than 2.
    case unsupported(String)
    /// A pack or index contradicts the format (a bad offset, a failed inflate, a delta that does not fit).
    case corrupt(String)
}
