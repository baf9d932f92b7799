import GitSource
import TestSupport
import Testing

@Suite("GitSource: history, changes and ancestry")
struct GitSourceHistoryTests {
    @Test("lists the commits that touched the path, newest first, with a limit")
    func historyOfPath() async throws {
        let repository = try TemporaryGitRepository()
        let c1 = try repository.commitFile("deploy/a.yaml", "v: 1\n", message: "deploy v1")
        try repository.commitFile("docs/readme.md", "docs\n", message: "docs only")
        let c3 = try repository.commitFile("deploy/a.yaml", "v: 2\n", message: "deploy v2")
        try repository.commitFile("docs/readme.md", "more docs\n", message: "docs again")
        let c5 = try repository.commitFile("deploy/b.yaml", "b: 1\n", message: "deploy b")
        let source = try makeSource(repository.path, path: "deploy")
        let history = try await source.history(limit: 10)
        #expect(history.map(\.id.hex) == [c5, c3, c1])
        #expect(history.map(\.subject) == ["deploy b", "deploy v2", "deploy v1"])
        #expect(try await source.history(limit: 2).map(\.id.hex) == [c5, c3])
        let whole = try makeSource(repository.path)
        #expect(try await whole.history(limit: 100).count == 5)
        #expect(try await source.history(from: CommitID(c3), limit: 10).map(\.id.hex) == [c3, c1])
    }

    @Test("follows merges: side-branch changes appear, merges that took the path unchanged do not")
    func historyWithMerges() async throws {
        let repository = try TemporaryGitRepository()
        try repository.commitFile("deploy/a.yaml", "v: 1\n", message: "base")
        try repository.checkout("feature", create: true)
        let side = try repository.commitFile("deploy/b.yaml", "b: 1\n", message: "side change")
        try repository.checkout("main")
        try repository.commitFile("docs/x.md", "x\n", message: "main docs")
        try repository.git("merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
        let merge = try repository.head()
        let source = try makeSource(repository.path, path: "deploy")
        let history = try await source.history(limit: 10)
        #expect(history.map(\.subject).contains("side change"))
        #expect(history.map(\.id.hex).contains(side))
        // The merge brought deploy/ in unchanged from the feature side: not a change to the path.
        #expect(!history.map(\.id.hex).contains(merge))
        let resolved = try await source.resolve()
        #expect(resolved.parents.count == 2)
    }

    @Test("lists the files changed between two commits under the path")
    func changedFiles() async throws {
        let repository = try TemporaryGitRepository()
        try repository.write("deploy/a.yaml", "a: 1\n")
        try repository.write("deploy/b.yaml", "b: 1\n")
        try repository.write("docs/x.md", "x\n")
        let old = try repository.commit("one")
        try repository.write("deploy/a.yaml", "a: 2\n")
        try repository.remove("deploy/b.yaml")
        try repository.write("deploy/c.yaml", "c: 1\n")
        try repository.write("docs/x.md", "y\n")
        let new = try repository.commit("two")
        let source = try makeSource(repository.path, path: "deploy")
        let changes = try await source.changedFiles(from: #require(CommitID(old)), to: #require(CommitID(new)))
        #expect(
            changes == [
                FileChange(path: "deploy/a.yaml", status: .modified), FileChange(path: "deploy/b.yaml", status: .deleted),
                FileChange(path: "deploy/c.yaml", status: .added),
            ])
    }

    @Test("tells ancestors apart, so a force-push that rewinds the branch is detected")
    func ancestry() async throws {
        let upstream = try TemporaryGitRepository(bare: true)
        let work = try TemporaryGitRepository()
        let c1 = try #require(CommitID(work.commitFile("a.yaml", "v: 1\n")))
        let c2 = try #require(CommitID(work.commitFile("a.yaml", "v: 2\n")))
        try work.git("push", "-q", upstream.path, "main")
        let source = try makeSource(upstream.fileURL)
        #expect(try await source.resolve().id == c2)
        #expect(try await source.isAncestor(c1, of: c2))
        #expect(try await source.isAncestor(c2, of: c2))
        #expect(try await !source.isAncestor(c2, of: c1))

        // Rewrite history: drop c2, commit something else, force-push.
        try work.git("reset", "-q", "--hard", c1.hex)
        let c3 = try #require(CommitID(work.commitFile("a.yaml", "v: 3\n")))
        try work.git("push", "-q", "--force", upstream.path, "main")
        #expect(try await source.resolve().id == c3)
        #expect(try await !source.isAncestor(c2, of: c3))
        #expect(try await source.isAncestor(c1, of: c3))
        // The rewound-away commit is still readable from the mirror until it is collected.
        #expect(try await source.files(at: c2).first?.text == "v: 2\n")
    }
}
