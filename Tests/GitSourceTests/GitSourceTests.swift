import Foundation
import GitSource
import TestSupport
import Testing

@Suite("GitSource: reading a local repository")
struct GitSourceTests {
    @Test("lists manifests under the path in order, skipping hidden and non-manifest files")
    func readsManifests() async throws {
        let repository = try makeManifestRepository()
        let source = try makeSource(repository.path, path: "deploy")
        let commit = try await source.resolve()
        #expect(commit.id.hex == (try repository.head()))
        #expect(commit.subject == "Initial manifests")
        let files = try await source.files(at: commit.id)
        #expect(files.map(\.path) == ["deploy/app.yaml", "deploy/nested/config.json", "deploy/service.yml"])
        #expect(files.first?.text == "kind: Deployment\n")
        #expect(files.first?.size == 17)
    }

    @Test("leaves out what the path's .gitopsdignore and the include/exclude globs say, packed or loose")
    func filtersFiles() async throws {
        let repository = try TemporaryGitRepository()
        try repository.write("deploy/.gitopsdignore", "Chart.yaml\nhelm/\n!helm-keep.yaml\n")
        try repository.write("deploy/Chart.yaml", "name: web\n")
        try repository.write("deploy/helm/values.yaml", "replicas: 2\n")
        try repository.write("deploy/web.yaml", "kind: Deployment\n")
        try repository.write("deploy/web-test.yaml", "kind: Pod\n")
        try repository.write("deploy/jobs/migrate.yaml", "kind: Job\n")
        try repository.write("Chart.yaml", "outside the path: its ignore file does not apply\n")
        _ = try repository.commit("with files that are not manifests")
        for packed in [false, true] {
            if packed { _ = try repository.git("gc", "-q") }
            let plain = try makeSource(repository.path, path: "deploy")
            #expect(try await plain.files(at: plain.resolve().id).map(\.path) == [
                "deploy/jobs/migrate.yaml", "deploy/web-test.yaml", "deploy/web.yaml",
            ])
            var configuration = plain.configuration
            configuration.include = ["*.yaml"]
            configuration.exclude = ["*-test.yaml", "jobs/**"]
            let filtered = try GitSource(configuration, logger: testLogger)
            #expect(try await filtered.files(at: filtered.resolve().id).map(\.path) == ["deploy/web.yaml"])
        }
        let root = try makeSource(repository.path)
        #expect(try await root.files(at: root.resolve().id).map(\.path).contains("Chart.yaml"))
    }

    @Test("reads the whole repository when no path is given")
    func readsRoot() async throws {
        let repository = try makeManifestRepository()
        let source = try makeSource(repository.path)
        let files = try await source.files(at: source.resolve().id)
        #expect(files.map(\.path).contains("other/ignored.yaml"))
        #expect(!files.map(\.path).contains { $0.contains("/.") })
    }

    @Test("reads a bare repository in place, without a working tree")
    func readsBareRepository() async throws {
        let work = try makeManifestRepository()
        let bare = try TemporaryGitRepository(bare: true)
        try work.git("push", "-q", bare.path, "main")
        let source = try makeSource(bare.path, path: "deploy")
        #expect(source.mirrorPath == nil)
        let files = try await source.files(at: source.resolve().id)
        #expect(files.count == 3)
    }

    @Test("leaves the working tree untouched")
    func doesNotTouchWorkingTree() async throws {
        let repository = try makeManifestRepository()
        try repository.write("deploy/app.yaml", "kind: Changed\n")
        let source = try makeSource(repository.path, path: "deploy")
        let files = try await source.files(at: source.resolve().id)
        #expect(files.first?.text == "kind: Deployment\n")
        #expect(try repository.git("status", "--porcelain").contains("M deploy/app.yaml"))
        #expect(try String(contentsOfFile: repository.path + "/deploy/app.yaml", encoding: .utf8) == "kind: Changed\n")
    }

    @Test("follows branches, annotated and lightweight tags, and pinned commits")
    func resolvesReferences() async throws {
        let repository = try TemporaryGitRepository()
        let first = try repository.commitFile("a.yaml", "v: 1\n")
        try repository.tag("v1", message: "release 1")
        try repository.tag("light")
        try repository.checkout("feature", create: true)
        let feature = try repository.commitFile("a.yaml", "v: 2\n")
        try repository.checkout("main")
        let second = try repository.commitFile("a.yaml", "v: 3\n")

        #expect(try await makeSource(repository.path).resolve().id.hex == second)
        #expect(try await makeSource(repository.path, reference: .branch("feature")).resolve().id.hex == feature)
        #expect(try await makeSource(repository.path, reference: .tag("v1")).resolve().id.hex == first)
        #expect(try await makeSource(repository.path, reference: .tag("light")).resolve().id.hex == first)
        let pinned = try #require(CommitID(first))
        let source = try makeSource(repository.path, reference: .commit(pinned))
        #expect(try await source.resolve().id == pinned)
        #expect(try await source.files(at: pinned).first?.text == "v: 1\n")
        #expect(try await source.commit(matching: String(first.prefix(7)).uppercased()).id == pinned)
        let unknown = await gitSourceError { try await source.commit(matching: "0000000") }
        #expect(unknown?.code == .notFound)
        let invalid = await gitSourceError { try await source.commit(matching: "xyz") }
        #expect(invalid?.code == .invalidConfiguration)
    }

    @Test("falls back to HEAD's branch when there is no main")
    func fallsBackToHead() async throws {
        let repository = try TemporaryGitRepository(branch: "trunk")
        let head = try repository.commitFile("a.yaml", "x: 1\n")
        #expect(try await makeSource(repository.path).resolve().id.hex == head)
    }

    @Test("reports a missing repository, branch, tag, commit and path as not found")
    func reportsMissing() async throws {
        let repository = try makeManifestRepository()
        let missingRepository = await gitSourceError { try await makeSource("/nonexistent/repo").resolve() }
        #expect(missingRepository?.code == .notFound)
        #expect(missingRepository?.message.contains("no such repository") == true)
        let missingBranch = await gitSourceError {
            try await makeSource(repository.path, reference: .branch("nope")).resolve()
        }
        #expect(missingBranch?.code == .notFound)
        #expect(missingBranch?.message.contains("no branch 'nope'") == true)
        let missingTag = await gitSourceError { try await makeSource(repository.path, reference: .tag("v9")).resolve() }
        #expect(missingTag?.code == .notFound)
        let unknown = try #require(CommitID(String(repeating: "ab", count: 20)))
        let missingCommit = await gitSourceError {
            try await makeSource(repository.path, reference: .commit(unknown)).resolve()
        }
        #expect(missingCommit?.code == .notFound)
        let missingPath = await gitSourceError {
            let source = try makeSource(repository.path, path: "nowhere")
            return try await source.files(at: source.resolve().id)
        }
        #expect(missingPath?.code == .notFound)
    }

    @Test("refuses paths that leave the repository", arguments: ["..", "../x", "a/../../b", "/etc", "deploy/.."])
    func refusesEscapingPaths(path: String) throws {
        #expect(throws: GitSourceError.self) { try makeSource("/tmp", path: path) }
    }

    @Test("normalises harmless paths", arguments: [("./deploy/", "deploy"), ("deploy//nested/.", "deploy/nested"), (".", "")])
    func normalisesPaths(input: String, expected: String) throws {
        #expect(try RepositoryPath(validating: input).string == expected)
    }

    @Test("reads binary manifests byte for byte")
    func readsBinary() async throws {
        let repository = try TemporaryGitRepository()
        let bytes: [UInt8] = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 31) } + [0, 0, 255]
        try repository.write("m/data.json", bytes: bytes)
        try repository.write("m/image.png", bytes: [0x89, 0x50, 0x4e, 0x47, 0])
        try repository.commit("binary")
        let source = try makeSource(repository.path, path: "m")
        let files = try await source.files(at: source.resolve().id)
        #expect(files.map(\.path) == ["m/data.json"])
        #expect(files.first?.contents == bytes)
    }

    @Test("refuses files over the size limit before reading them")
    func refusesLargeFiles() async throws {
        let repository = try TemporaryGitRepository()
        try repository.write("m/small.yaml", "a: 1\n")
        try repository.write("m/big.yaml", String(repeating: "x", count: 5000))
        try repository.commit("big")
        let source = try makeSource(repository.path, path: "m", maximumManifestSize: 4096)
        let error = await gitSourceError { try await source.files(at: source.resolve().id) }
        #expect(error?.code == .fileTooLarge)
        #expect(error?.message.contains("m/big.yaml") == true)
        let roomy = try makeSource(repository.path, path: "m")
        #expect(try await roomy.files(at: roomy.resolve().id).count == 2)
    }

    @Test("reads symlinks that stay inside the path as their targets")
    func readsInsideSymlinks() async throws {
        let repository = try TemporaryGitRepository()
        try repository.write("deploy/base/app.yaml", "kind: Deployment\n")
        try repository.symlink("deploy/linked.yaml", to: "base/app.yaml")
        try repository.symlink("deploy/chain.yaml", to: "./linked.yaml")
        try repository.symlink("deploy/dir", to: "base")
        try repository.commit("links")
        let source = try makeSource(repository.path, path: "deploy")
        let files = try await source.files(at: source.resolve().id)
        #expect(files.map(\.path) == ["deploy/base/app.yaml", "deploy/chain.yaml", "deploy/linked.yaml"])
        #expect(files.allSatisfy { $0.text == "kind: Deployment\n" })
    }

    @Test(
        "refuses symlinks that resolve outside the path",
        arguments: ["../secrets/token.yaml", "/etc/passwd", "../../../../etc/hosts", "sub/../../x.yaml"])
    func refusesOutsideSymlinks(target: String) async throws {
        let repository = try TemporaryGitRepository()
        try repository.write("secrets/token.yaml", "token: hunter2\n")
        try repository.write("deploy/app.yaml", "kind: Deployment\n")
        try repository.symlink("deploy/evil.yaml", to: target)
        try repository.commit("evil link")
        let source = try makeSource(repository.path, path: "deploy")
        let error = await gitSourceError { try await source.files(at: source.resolve().id) }
        #expect(error?.code == .symlinkEscapesPath)
        #expect(error?.message.contains("deploy/evil.yaml") == true)
    }

    @Test("reports submodules as unsupported instead of following them")
    func reportsSubmodules() async throws {
        let library = try TemporaryGitRepository()
        try library.commitFile("lib.yaml", "kind: Library\n")
        let repository = try TemporaryGitRepository()
        try repository.commitFile("deploy/app.yaml", "kind: Deployment\n")
        try repository.git("submodule", "add", "-q", library.path, "deploy/vendor")
        try repository.commit("add submodule")
        let source = try makeSource(repository.path, path: "deploy")
        let error = await gitSourceError { try await source.files(at: source.resolve().id) }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("deploy/vendor") == true)
    }

    @Test("copies commit metadata: ids, author, committer, time, subject and body")
    func readsMetadata() async throws {
        let repository = try TemporaryGitRepository()
        try repository.write("a.yaml", "a: 1\n")
        try repository.git("add", "-A")
        try repository.git("commit", "-q", "-m", "Subject line\n\nFirst body line.\nSecond body line.\n")
        let commit = try await makeSource(repository.path).resolve()
        #expect(commit.subject == "Subject line")
        #expect(commit.body == "First body line.\nSecond body line.")
        #expect(commit.author.name == "Test Author")
        #expect(commit.author.email == "author@example.com")
        #expect(commit.committer.name == "Test Committer")
        #expect(commit.shortID == String(commit.id.hex.prefix(7)))
        #expect(commit.parents.isEmpty)
        let time = try repository.git("log", "-1", "--format=%ct").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(commit.time.timeIntervalSince1970) == Int(time))
    }
}
