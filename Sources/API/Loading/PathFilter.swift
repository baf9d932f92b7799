/// Which files of a plain manifests directory are read: the ignore rules of the directory's `.gitopsdignore` (in
/// gitignore syntax, like Flux's `.sourceignore`), then the `--include` and `--exclude` globs (like Argo CD's
/// directory `include`/`exclude`).
///
/// Paths are relative to the manifests directory (`--path`), with `/` between components. A directory that is
/// ignored is not entered, so nothing below it can be included again (as in git).
public struct PathFilter: Sendable, Hashable {
    /// The ignore file's name, read from the top of the manifests directory.
    public static let ignoreFileName = ".gitopsdignore"

    struct Rule: Sendable, Hashable {
        var pattern: String
        var negated: Bool
        var directoryOnly: Bool
    }

    var rules: [Rule] = []
    /// Globs a file must match one of to be read; empty reads every manifest file.
    public var include: [String]
    /// Globs of files not read.
    public var exclude: [String]

    /// - Parameters:
    ///   - ignoreFile: the text of a `.gitopsdignore`, if there is one.
    ///   - include: `--include` globs; a glob without `/` also matches a file's name at any depth.
    ///   - exclude: `--exclude` globs, likewise.
    public init(ignoreFile: String? = nil, include: [String] = [], exclude: [String] = []) {
        self.include = include
        self.exclude = exclude
        if let ignoreFile { rules = Self.parse(ignoreFile) }
    }

    /// Whether nothing is filtered.
    public var isEmpty: Bool { rules.isEmpty && include.isEmpty && exclude.isEmpty }

    /// Whether the file or directory at `path` is read (a directory: entered).
    public func admits(_ path: String, isDirectory: Bool) -> Bool {
        var ignored = false
        for rule in rules where !rule.directoryOnly || isDirectory {
            if Glob.matches(rule.pattern, path) { ignored = !rule.negated }
        }
        if ignored { return false }
        if isDirectory { return true }
        if !include.isEmpty && !include.contains(where: { Self.glob($0, matches: path) }) { return false }
        return !exclude.contains { Self.glob($0, matches: path) }
    }

    /// The name of the first glob among `include` or `exclude` that is not valid, for a clear error; globs are
    /// lenient, so this only refuses absolute paths and `..`, which can never match a path under the directory.
    public var invalidGlob: String? {
        (include + exclude).first { $0.hasPrefix("/") || $0.split(separator: "/").contains("..") }
    }

    private static func glob(_ pattern: String, matches path: String) -> Bool {
        if Glob.matches(pattern, path) { return true }
        guard !pattern.contains("/"), let name = path.split(separator: "/").last else { return false }
        return Glob.matches(pattern, String(name))
    }

    /// gitignore syntax: one pattern a line, `#` comments, `!` re-includes, a trailing `/` matches directories
    /// only, a pattern with a `/` other than a trailing one is anchored at the top, others match at any depth.
    static func parse(_ text: String) -> [Rule] {
        var rules: [Rule] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = String(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line.removeLast() }
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            var negated = false
            if line.hasPrefix("!") {
                negated = true
                line.removeFirst()
            } else if line.hasPrefix("\\!") || line.hasPrefix("\\#") {
                line.removeFirst()
            }
            var directoryOnly = false
            if line.hasSuffix("/") {
                directoryOnly = true
                line.removeLast()
            }
            guard !line.isEmpty else { continue }
            if line.hasPrefix("/") {
                line.removeFirst()
            } else if !line.contains("/") {
                line = "**/" + line
            }
            rules.append(Rule(pattern: line, negated: negated, directoryOnly: directoryOnly))
        }
        return rules
    }
}
