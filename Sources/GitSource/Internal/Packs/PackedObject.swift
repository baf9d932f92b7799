/// An object read from a pack: its kind and its whole contents.
struct PackedObject {
    var kind: GitObjectKind
    var bytes: [UInt8]
}
