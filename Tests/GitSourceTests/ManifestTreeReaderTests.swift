import Foundation
import TestSupport
import Testing

@testable import GitSource

@Suite("ManifestTreeReader: order and ids of the files read")
struct ManifestTreeReaderTests {
    @Test("returns files in the byte order of their paths, with the blob ids git reports")
    func byteOrderAndIDs() async throws {
        let repository = try TemporaryGitRepository()
        let names = [
            "d/a.yaml", "d/a/b.yaml", "d/a-b.yaml", "d/a0.yaml", "d/Z.yaml", "d/é.yaml", "d/z.yaml", "d/a.b/c.json",
            "d/ab.yml",
        ]
        for (number, name) in names.enumerated() { try repository.write(name, "n: \(number)\n") }
        try repository.commit("names")
        let listing = try repository.git("ls-tree", "-r", "-z", "HEAD", "d").split(separator: "\0").map { line in
            // "<mode> blob <id>\t<path>"
            let fields = line.split(separator: "\t", maxSplits: 1)
            return (path: String(fields[1]), id: String(fields[0].split(separator: " ")[2]))
        }
        let source = try makeSource(repository.path, path: "d")
        let files = try await source.files(at: source.resolve().id)
        #expect(files.map(\.path) == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(files.map(\.path) == listing.map(\.path))
        #expect(files.map(\.blobID) == listing.map(\.id))
    }

    @Test(
        "compares paths by their UTF-8 bytes",
        arguments: [
            ("a", "b", true), ("b", "a", false), ("a", "a", false), ("a", "ab", true), ("ab", "a", false),
            ("a/b", "a.b", false), ("a.b", "a/b", true), ("z", "é", true), ("é", "z", false), ("", "a", true),
        ])
    func precedes(a: String, b: String, expected: Bool) {
        #expect(ManifestTreeReader.precedes(a, b) == expected)
        #expect(Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) == expected)
    }
}
