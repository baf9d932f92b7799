import Foundation
import Testing

@testable import Reconciler

@Suite struct LineDiffTests {
    @Test func equalTextsHaveNoHunks() {
        let diff = LineDiff(old: ["a", "b"], new: ["a", "b"])
        #expect(diff.isEmpty)
        #expect(diff.unified(oldLabel: "a", newLabel: "b") == "")
    }

    @Test func changedLineInTheMiddleWithContext() {
        let old = (1...10).map { "line \($0)" }
        var new = old
        new[4] = "line five"
        let text = LineDiff(old: old, new: new).unified(oldLabel: "live", newLabel: "desired")
        #expect(
            text == """
                --- live
                +++ desired
                @@ -2,7 +2,7 @@
                 line 2
                 line 3
                 line 4
                -line 5
                +line five
                 line 6
                 line 7
                 line 8

                """)
    }

    @Test func additionsToAnEmptyTextAndDeletionsOfEverything() {
        let added = LineDiff(old: [], new: ["x", "y"])
        #expect(added.hunks.count == 1)
        #expect(added.hunks[0].oldStart == 0 && added.hunks[0].oldCount == 0)
        #expect(added.hunks[0].lines == [.added("x"), .added("y")])
        let removed = LineDiff(old: ["x"], new: [])
        #expect(removed.hunks[0].lines == [.removed("x")])
    }

    @Test func distantChangesMakeSeparateHunks() {
        let old = (1...30).map(String.init)
        var new = old
        new[1] = "two"
        new[27] = "twenty-eight"
        #expect(LineDiff(old: old, new: new).hunks.count == 2)
    }

    /// Applying the edit script to the old text must give the new text, and the script must be minimal
    /// in the number of changed lines compared with a simple LCS computation.
    @Test(arguments: 0..<40)
    func scriptReproducesTheNewTextAndIsMinimal(seed: Int) {
        var generator = SplitMix(seed: UInt64(seed))
        let old = (0..<Int(generator.next() % 25)).map { _ in String("abcde".randomElement(using: &generator)!) }
        let new = (0..<Int(generator.next() % 25)).map { _ in String("abcde".randomElement(using: &generator)!) }
        let script = LineDiff.editScript(old, new)
        var rebuiltOld: [String] = []
        var rebuiltNew: [String] = []
        var changes = 0
        for line in script {
            switch line {
            case .context(let text):
                rebuiltOld.append(text)
                rebuiltNew.append(text)
            case .removed(let text):
                rebuiltOld.append(text)
                changes += 1
            case .added(let text):
                rebuiltNew.append(text)
                changes += 1
            }
        }
        #expect(rebuiltOld == old)
        #expect(rebuiltNew == new)
        #expect(changes == old.count + new.count - 2 * lcsLength(old, new))
    }

    private func lcsLength(_ a: [String], _ b: [String]) -> Int {
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return table[0][0]
    }
}

/// A small deterministic generator so the property test is reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
