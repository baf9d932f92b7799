/// Path arithmetic for `FileTree` paths: relative, `/`-separated, `""` for the root.
enum TreePath {
    /// `path` with `.` segments, empty segments and a leading `/` removed (does not resolve `..`).
    static func lexicallyClean(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// `relative` resolved against `directory`, or `nil` when it climbs above the root.
    static func join(_ directory: String, _ relative: String) -> String? {
        if relative.hasPrefix("/") { return nil }
        var parts = directory.split(separator: "/").map(String.init)
        for segment in relative.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..":
                if parts.isEmpty { return nil }
                parts.removeLast()
            default: parts.append(String(segment))
            }
        }
        return parts.joined(separator: "/")
    }

    /// The directory holding `path` (`a/b.yaml` -> `a`, `b.yaml` -> ``).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The last segment of `path`.
    static func base(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
