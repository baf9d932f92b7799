import Foundation
import GitSource
import TestSupport
import Testing

@Suite("GitSource: reverting a commit")
struct GitSourceRevertTests {
    @Test("reverts a commit, pushes it, and restores the tree of the commit before it")
    func revertAndPush() async throws {
        let served = try ServedRepository()
        let good = try served.work.commitFile("deploy/app.yaml", "image: good\n", message: "Deploy good")
        let bad = try served.work.commitFile("deploy/app.yaml", "image: bad\n", message: "Deploy bad")
        try served.work.git("push", "-q", served.bare, "main")
        let source = try makeSource("file://" + served.bare, reference: .branch("main"), path: "deploy")
        #expect(try await source.resolve().id.hex == bad)

        let revert = try await source.revert(#require(CommitID(bad)))
        #expect(revert.subject == "Revert \"Deploy bad\"")
        #expect(revert.body == "This reverts commit \(bad).")
        #expect(revert.parents.map(\.hex) == [bad])
        // The pushed branch moved to the revert commit.
        let remoteTip = try TemporaryGitRepository.run("/usr/bin/env", ["git", "-C", served.bare, "rev-parse", "main"])
        #expect(remoteTip.trimmingCharacters(in: .whitespacesAndNewlines) == revert.id.hex)
        // Its tree is the tree before the bad commit.
        let tree = { (rev: String) throws -> String in
            try TemporaryGitRepository.run("/usr/bin/env", ["git", "-C", served.bare, "rev-parse", rev + "^{tree}"])
        }
        #expect(try tree(revert.id.hex) == tree(good))
        #expect(try await source.resolve().id == revert.id)
        #expect(try await source.files(at: revert.id).first?.text == "image: good\n")
        // No temporary references are left behind in the mirror.
        let mirror = try #require(source.mirrorPath)
        let refs = try TemporaryGitRepository.run("/usr/bin/env", ["git", "-C", mirror, "for-each-ref", "refs/gitopsd"])
        #expect(refs.isEmpty)
    }

    @Test("pushes a revert over HTTP with the source's credentials")
    func revertOverHTTP() async throws {
        let served = try ServedRepository()
        let bad = try served.work.commitFile("deploy/app.yaml", "image: bad\n", message: "Deploy bad")
        try served.work.git("push", "-q", served.bare, "main")
        let server = try GitHTTPServer(root: served.root)
        let credentials = GitCredentials(username: server.username, password: server.password)
        let source = try makeSource(server.privateURL(served.name), credentials: credentials)
        let revert = try await source.revert(#require(CommitID(bad)))
        let remoteTip = try TemporaryGitRepository.run("/usr/bin/env", ["git", "-C", served.bare, "rev-parse", "main"])
        #expect(remoteTip.trimmingCharacters(in: .whitespacesAndNewlines) == revert.id.hex)
    }

    @Test("reports conflicts and leaves the remote and the mirror untouched")
    func revertConflict() async throws {
        let served = try ServedRepository()
        let bad = try served.work.commitFile("deploy/app.yaml", "image: bad\n", message: "Deploy bad")
        let later = try served.work.commitFile("deploy/app.yaml", "image: later\n", message: "Deploy later")
        try served.work.git("push", "-q", served.bare, "main")
        let source = try makeSource("file://" + served.bare)
        _ = try await source.resolve()
        let error = await gitSourceError { try await source.revert(#require(CommitID(bad))) }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("deploy/app.yaml") == true)
        let remoteTip = try TemporaryGitRepository.run("/usr/bin/env", ["git", "-C", served.bare, "rev-parse", "main"])
        #expect(remoteTip.trimmingCharacters(in: .whitespacesAndNewlines) == later)
        #expect(try await source.resolve().id.hex == later)
    }

    @Test("reverts in a local bare repository by moving the branch")
    func revertLocalBare() async throws {
        let served = try ServedRepository()
        let bad = try served.work.commitFile("deploy/app.yaml", "image: bad\n", message: "Deploy bad")
        try served.work.git("push", "-q", served.bare, "main")
        let source = try makeSource(served.bare)
        let revert = try await source.revert(#require(CommitID(bad)))
        #expect(try await source.resolve().id == revert.id)
    }

    @Test("refuses to move a branch that is checked out in a working tree, and sources that follow tags")
    func revertRefusals() async throws {
        let repository = try TemporaryGitRepository()
        let bad = try #require(CommitID(repository.commitFile("a.yaml", "a: 1\n")))
        try repository.tag("v1")
        let checkedOut = await gitSourceError { try await makeSource(repository.path).revert(bad) }
        #expect(checkedOut?.code == .invalidConfiguration)
        let tagged = await gitSourceError { try await makeSource(repository.path, reference: .tag("v1")).revert(bad) }
        #expect(tagged?.code == .invalidConfiguration)
        #expect(try repository.head() == bad.hex)
    }
}
