/// Shell-style path patterns, as gitignore files and Argo CD's directory `include`/`exclude` write them.
///
/// `*` matches within one path component, `**` across components (`a/**/b` also matches `a/b`), `?` one
/// character other than `/`, `[abc]`, `[a-z]` and `[!a]` one character of a set, `{x,y}` either alternative, and
/// `\` escapes the next character.
enum Glob {
    /// Whether `path` matches `pattern` as a whole.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        expandBraces(pattern).contains { match(Array($0.unicodeScalars), 0, Array(path.unicodeScalars), 0) }
    }

    /// `{a,b}c` → `ac`, `bc`; nested and several groups expand in turn. Unbalanced braces are literal.
    static func expandBraces(_ pattern: String) -> [String] {
        let scalars = Array(pattern.unicodeScalars)
        var depth = 0
        var open: Int?
        var commas: [Int] = []
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\\" { continue }
            if index > 0 && scalars[index - 1] == "\\" { continue }
            switch scalar {
            case "{":
                if depth == 0 { open = index; commas = [] }
                depth += 1
            case "," where depth == 1:
                commas.append(index)
            case "}" where depth > 0:
                depth -= 1
                guard depth == 0, let start = open else { continue }
                let prefix = String(String.UnicodeScalarView(scalars[..<start]))
                let suffix = String(String.UnicodeScalarView(scalars[(index + 1)...]))
                var bounds = [start] + commas + [index]
                var alternatives: [String] = []
                for i in 0..<(bounds.count - 1) {
                    alternatives.append(String(String.UnicodeScalarView(scalars[(bounds[i] + 1)..<bounds[i + 1]])))
                }
                bounds.removeAll()
                return alternatives.flatMap { expandBraces(prefix + $0 + suffix) }
            default:
                continue
            }
        }
        return [pattern]
    }

    private static func match(_ p: [Unicode.Scalar], _ i: Int, _ s: [Unicode.Scalar], _ j: Int) -> Bool {
        var i = i
        var j = j
        while i < p.count {
            switch p[i] {
            case "*":
                if i + 1 < p.count && p[i + 1] == "*" {
                    // `**`: any run of characters, slashes included; `**/` may also match nothing.
                    var next = i + 2
                    let slashFollows = next < p.count && p[next] == "/"
                    if slashFollows { next += 1 }
                    if slashFollows && match(p, next, s, j) { return true }
                    var k = j
                    while k <= s.count {
                        if match(p, next, s, k) && (!slashFollows || k == j || s[k - 1] == "/") { return true }
                        k += 1
                    }
                    return false
                }
                var k = j
                while true {
                    if match(p, i + 1, s, k) { return true }
                    guard k < s.count, s[k] != "/" else { return false }
                    k += 1
                }
            case "?":
                guard j < s.count, s[j] != "/" else { return false }
            case "[":
                guard j < s.count, let (matched, end) = matchClass(p, i, s[j]) else {
                    // An unclosed `[` is a literal.
                    guard j < s.count, s[j] == "[" else { return false }
                    i += 1
                    j += 1
                    continue
                }
                guard matched else { return false }
                i = end
                j += 1
                continue
            case "\\" where i + 1 < p.count:
                guard j < s.count, s[j] == p[i + 1] else { return false }
                i += 1
            default:
                guard j < s.count, s[j] == p[i] else { return false }
            }
            i += 1
            j += 1
        }
        return j == s.count
    }

    /// Matches one character against the class starting at `p[start]` (`[`); returns the index after `]`.
    private static func matchClass(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < p.count && (p[i] == "!" || p[i] == "^") {
            negated = true
            i += 1
        }
        var matched = false
        var first = true
        while i < p.count && (p[i] != "]" || first) {
            first = false
            if i + 2 < p.count && p[i + 1] == "-" && p[i + 2] != "]" {
                if p[i].value <= c.value && c.value <= p[i + 2].value { matched = true }
                i += 3
            } else {
                if p[i] == c { matched = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (matched != negated && c != "/", i + 1)
    }
}
