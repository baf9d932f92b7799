/// A line-based diff (Myers' O(ND) algorithm) rendered as unified-diff hunks.
///
/// Objects are diffed as their rendered text so that users see the same familiar `---`/`+++`/`@@` output
/// that `kubectl diff` and `git diff` give them.
public struct LineDiff: Sendable, Hashable {
    /// One line of the diff.
    public enum Line: Sendable, Hashable {
        case context(String)
        case removed(String)
        case added(String)
    }

    /// A run of changes with surrounding context, as in `@@ -a,b +c,d @@`.
    public struct Hunk: Sendable, Hashable {
        public var oldStart: Int
        public var oldCount: Int
        public var newStart: Int
        public var newCount: Int
        public var lines: [Line]
    }

    public let hunks: [Hunk]

    /// True when the two texts are equal.
    public var isEmpty: Bool { hunks.isEmpty }

    /// Diffs `old` against `new`, keeping `context` unchanged lines around each change.
    public init(old: [String], new: [String], context: Int = 3) {
        let script = Self.editScript(old, new)
        hunks = Self.group(script, context: context)
    }

    /// The diff as unified text with the given file labels; lines start with ` `, `-` or `+`.
    /// - Parameter color: Wrap removed and added lines in ANSI red and green (for terminals).
    public func unified(oldLabel: String, newLabel: String, color: Bool = false) -> String {
        guard !hunks.isEmpty else { return "" }
        let red = color ? "\u{1B}[31m" : ""
        let green = color ? "\u{1B}[32m" : ""
        let cyan = color ? "\u{1B}[36m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        var output = "--- \(oldLabel)\n+++ \(newLabel)\n"
        for hunk in hunks {
            output += "\(cyan)@@ -\(hunk.oldStart),\(hunk.oldCount) +\(hunk.newStart),\(hunk.newCount) @@\(reset)\n"
            for line in hunk.lines {
                switch line {
                case .context(let text): output += " \(text)\n"
                case .removed(let text): output += "\(red)-\(text)\(reset)\n"
                case .added(let text): output += "\(green)+\(text)\(reset)\n"
                }
            }
        }
        return output
    }

    /// The shortest edit script from `a` to `b`.
    static func editScript(_ a: [String], _ b: [String]) -> [Line] {
        // Trim the common prefix and suffix first: most object diffs change a few lines in the middle.
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix,
            a[a.count - 1 - suffix] == b[b.count - 1 - suffix]
        {
            suffix += 1
        }
        let oldMiddle = Array(a[prefix..<(a.count - suffix)])
        let newMiddle = Array(b[prefix..<(b.count - suffix)])
        var script = a[0..<prefix].map(Line.context)
        script += myers(oldMiddle, newMiddle)
        script += a[(a.count - suffix)...].map(Line.context)
        return script
    }

    /// Myers' greedy algorithm with a trace for backtracking.
    private static func myers(_ a: [String], _ b: [String]) -> [Line] {
        let n = a.count
        let m = b.count
        if n == 0 { return b.map(Line.added) }
        if m == 0 { return a.map(Line.removed) }
        let maxD = n + m
        let offset = maxD
        var v = [Int](repeating: 0, count: 2 * maxD + 2)
        var trace: [[Int]] = []
        search: for d in 0...maxD {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m { break search }
            }
        }
        // Backtrack from (n, m).
        var lines: [Line] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK: Int
            if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                previousK = k + 1
            } else {
                previousK = k - 1
            }
            let previousX = v[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                lines.append(.context(a[x - 1]))
                x -= 1
                y -= 1
            }
            if d > 0 {
                if x == previousX {
                    lines.append(.added(b[y - 1]))
                } else {
                    lines.append(.removed(a[x - 1]))
                }
            }
            x = previousX
            y = previousY
        }
        return lines.reversed()
    }

    /// Groups an edit script into hunks with `context` lines around changes.
    private static func group(_ script: [Line], context: Int) -> [Hunk] {
        let changed = script.indices.filter {
            if case .context = script[$0] { return false }
            return true
        }
        guard !changed.isEmpty else { return [] }
        // Ranges of script indices to show, merged when their context overlaps.
        var ranges: [ClosedRange<Int>] = []
        for index in changed {
            let range = max(0, index - context)...min(script.count - 1, index + context)
            if let last = ranges.last, range.lowerBound <= last.upperBound + 1 {
                ranges[ranges.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                ranges.append(range)
            }
        }
        // Line numbers at each script index.
        var oldLine = 1
        var newLine = 1
        var positions: [(old: Int, new: Int)] = []
        positions.reserveCapacity(script.count)
        for line in script {
            positions.append((oldLine, newLine))
            switch line {
            case .context:
                oldLine += 1
                newLine += 1
            case .removed: oldLine += 1
            case .added: newLine += 1
            }
        }
        return ranges.map { range in
            let lines = Array(script[range])
            let oldCount = lines.filter { if case .added = $0 { return false } else { return true } }.count
            let newCount = lines.filter { if case .removed = $0 { return false } else { return true } }.count
            let start = positions[range.lowerBound]
            // As in GNU diff, an empty side starts at the line before.
            return Hunk(
                oldStart: oldCount == 0 ? start.old - 1 : start.old, oldCount: oldCount,
                newStart: newCount == 0 ? start.new - 1 : start.new, newCount: newCount, lines: lines)
        }
    }
}
