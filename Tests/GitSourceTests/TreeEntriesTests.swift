import Foundation
import TestSupport
import Testing

@testable import GitSource

@Suite("TreeEntries: tree objects parsed as libgit2 parses them")
struct TreeEntriesTests {
    /// Modes git writes today, modes old versions wrote, and nonsense a hand-made tree can hold.
    static let modes = [
        "40000", "040000", "40755", "41755", "100644", "100755", "100664", "100700", "100600", "100010", "100001",
        "104644", "120000", "120755", "121000", "160000", "160755", "161000", "0", "644", "755", "170000", "20000",
        "60000", "140000", "177777", "1",
    ]

    @Test("gives every entry the name, id and kind libgit2 gives it, whatever its mode")
    func matchesLibgit2() throws {
        let repository = try TemporaryGitRepository()
        let blob = try repository.git("hash-object", "-w", "--stdin").trimmingCharacters(in: .whitespacesAndNewlines)
        let id = try ObjectID(hex: blob)
        var bytes: [UInt8] = []
        for (number, mode) in Self.modes.enumerated() {
            // Names in sorted order, one non-ASCII and one invalid UTF-8, each with the same id.
            let name: [UInt8] =
                Array(String(format: "entry-%02d", number).utf8) + (number == 3 ? Array("é".utf8) : [])
                + (number == 4 ? [0xFF] : [])
            bytes += Array(mode.utf8) + [0x20] + name + [0]
            id.withRawBytes { bytes.append(contentsOf: $0) }
        }
        let tree = try TemporaryGitRepository.run(
            "/usr/bin/env", ["git", "hash-object", "-t", "tree", "--literally", "-w", "--stdin"], in: repository.path,
            environment: TemporaryGitRepository.gitEnvironment(home: repository.root), input: bytes
        ).trimmingCharacters(in: .whitespacesAndNewlines)

        let libgit2 = try TreeObject.lookup(Repository.open(path: repository.path), ObjectID(hex: tree)).entries()
        let parsed = try TreeEntries.parse(bytes)
        #expect(parsed.count == Self.modes.count)
        #expect(parsed.map(\.name) == libgit2.map(\.name))
        #expect(parsed.map(\.oid) == libgit2.map(\.oid))
        for (mode, (mine, theirs)) in zip(Self.modes, zip(parsed, libgit2)) {
            #expect(mine.kind == theirs.kind, "mode \(mode)")
        }
    }

    @Test(
        "declines what it does not read exactly like libgit2",
        arguments: [
            Array("100644 \0".utf8) + [UInt8](repeating: 1, count: 20),  // empty name
            Array("100644 a".utf8),  // no NUL
            Array("100644 a\0".utf8) + [UInt8](repeating: 1, count: 19),  // short id
            Array("10064x a\0".utf8) + [UInt8](repeating: 1, count: 20),  // not octal
            Array(" a\0".utf8) + [UInt8](repeating: 1, count: 20),  // no mode
            Array("1000000 a\0".utf8) + [UInt8](repeating: 1, count: 20),  // over 16 bits
            Array("100644a\0".utf8) + [UInt8](repeating: 1, count: 20),  // no space
        ])
    func declinesMalformedTrees(bytes: [UInt8]) {
        #expect(throws: PackReadError.self) { try TreeEntries.parse(bytes) }
    }

    @Test("reads an empty tree")
    func emptyTree() throws {
        #expect(try TreeEntries.parse([]).isEmpty)
    }
}
