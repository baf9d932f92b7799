/// Where each field of one object was written: field path -> line and column in a file.
///
/// Built by the YAML reader for every mapping key and list element it reads. Locations of mapping members
/// point at the key (`image:`), which is where editors put the cursor for a field. Lookups fall back to the
/// nearest enclosing field, so a missing required field is reported at its parent and a field inside an
/// alias expansion at the alias.
public struct SourceMap: Sendable, Hashable {
    /// A line and column, both 1-based.
    public struct Position: Sendable, Hashable {
        public var line: Int32
        public var column: Int32

        public init(line: Int32, column: Int32) {
            self.line = line
            self.column = column
        }
    }

    /// The file the object came from.
    public var file: String
    /// Positions keyed by rendered field path (see `FieldPath`), relative to the document root.
    var positions: [String: Position]
    /// The path of this object inside its document (`items[3]` for an object expanded from a `List`).
    var prefix: FieldPath

    /// A source map for objects without a file (built in memory); every lookup answers `nil`.
    public init(file: String = "") {
        self.file = file
        self.positions = [:]
        self.prefix = FieldPath()
    }

    /// A source map that places the whole object at one position (objects generated from a config entry).
    public init(file: String, position: Position) {
        self.init(file: file, positions: ["": position])
    }

    init(file: String, positions: [String: Position], prefix: FieldPath = FieldPath()) {
        self.file = file
        self.positions = positions
        self.prefix = prefix
    }

    /// The map of the object at `path` inside this one (shares storage).
    func scoped(to path: FieldPath) -> SourceMap {
        SourceMap(file: file, positions: positions, prefix: prefix.appending(path))
    }

    /// The location of `path`, or of its nearest enclosing field that has one.
    public func location(of path: FieldPath) -> SourceLocation? {
        var current: FieldPath? = prefix.appending(path)
        while let candidate = current {
            if let position = positions[candidate.string] {
                return SourceLocation(file: file, line: Int(position.line), column: Int(position.column))
            }
            current = candidate.parent
        }
        return nil
    }
}
