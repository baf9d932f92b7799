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

    /// Names `git fsck` refuses in a tree (fullPathname, hasDot, hasDotdot, hasDotgit, emptyName), each as a
    /// directory and as a manifest-named file, and what the error must say about it.
    static let refusedNames: [(name: String, mode: String, says: String, fsck: String)] = [
        ("a/b.yaml", "100644", "'a/b.yaml'", "fullPathname"),
        ("../escape.yaml", "100644", "'../escape.yaml'", "fullPathname"), ("..", "40000", "'..'", "hasDotdot"),
        (".", "40000", "'.'", "hasDot:"), (".git", "40000", "'.git'", "hasDotgit"),
        (".GiT", "40000", "'.GiT'", "hasDotgit"), (".git", "100644", "'.git'", "hasDotgit"),
        ("", "100644", "empty name", "empty filename"),
    ]

    @Test(
        "refuses tree entries whose names are empty, hold '/', or are '.', '..' or '.git', loose and packed",
        arguments: refusedNames, [false, true])
    func refusesEntryNamesGitRefuses(
        entry: (name: String, mode: String, says: String, fsck: String), packed: Bool
    ) async throws {
        let repository = try TemporaryGitRepository()
        try repository.commitFile("deploy/app.yaml", "kind: Deployment\n")
        let blob = try repository.writeBlob("kind: ConfigMap\n")
        let inner = try repository.writeTree([RawTreeEntry("100644", "x.yaml", blob)])
        let refused = RawTreeEntry(entry.mode, entry.name, entry.mode == "40000" ? inner : blob)
        let deploy = try repository.writeTree([RawTreeEntry("100644", "app.yaml", blob), refused])
        let root = try repository.writeTree([RawTreeEntry("40000", "deploy", deploy)])
        let commit = try repository.commitTree(root, message: "hand-made tree")
        // The fixture really holds the entry: git's own check finds it.
        #expect(try repository.fsckReport().contains(entry.fsck))
        if packed {
            // Named one by one: `git repack` would walk the trees, and refuses an empty name.
            let objects = [blob, inner, deploy, root, commit]
            try TemporaryGitRepository.run(
                "/usr/bin/env", ["git", "pack-objects", "-q", ".git/objects/pack/pack"], in: repository.path,
                environment: TemporaryGitRepository.gitEnvironment(home: repository.root),
                input: Array(objects.joined(separator: "\n").utf8) + [0x0A])
            try repository.git("prune-packed")
            // The pack reader reads the tree (and leaves the parsing, or the refusal, to the Swift parser).
            let packs = try PackReader(objectsDirectory: repository.path + "/.git/objects")
            guard case .object(let object) = try packs.read(ObjectID(hex: deploy)) else {
                Issue.record("the pack reader did not read the tree")
                return
            }
            #expect(object.kind == .tree)
            for object in objects {
                #expect(!FileManager.default.fileExists(
                    atPath: repository.path + "/.git/objects/\(object.prefix(2))/\(object.dropFirst(2))"))
            }
        }

        let source = try makeSource(repository.path, path: "deploy")
        let error = await gitSourceError { try await source.files(at: #require(CommitID(commit))) }
        #expect(error?.code == .invalidTree, "\(String(describing: error))")
        #expect(error?.message.contains(entry.says) == true, "\(String(describing: error))")
        #expect(error?.message.contains("'deploy'") == true, "\(String(describing: error))")
        #expect(error?.message.contains(String(commit.prefix(7))) == true, "\(String(describing: error))")
    }
}
