import Foundation
import GitSource
import TestSupport
import Testing

/// A bare repository with one manifest commit, pushed from a work repository, served from `root/NAME.git`.
final class ServedRepository {
    let root: String
    let work: TemporaryGitRepository
    let name = "apps.git"
    var bare: String { root + "/" + name }

    init() throws {
        root = try scratchDirectory("served")
        work = try TemporaryGitRepository()
        try work.commitFile("deploy/app.yaml", "kind: Deployment\n", message: "first")
        try TemporaryGitRepository.run("/usr/bin/env", ["git", "init", "-q", "--bare", bare])
        try work.git("push", "-q", bare, "main")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }
}

@Suite("GitSource: fetching remotes into a mirror")
struct GitSourceRemoteTests {
    @Test("mirrors a file:// remote under the data directory and fetches new commits on each resolve")
    func fileRemote() async throws {
        let served = try ServedRepository()
        let data = try scratchDirectory("data")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let source = try makeSource("file://" + served.bare, path: "deploy", dataDirectory: data)
        let mirror = try #require(source.mirrorPath)
        #expect(mirror.hasPrefix(data + "/sources/"))
        let first = try await source.resolve()
        #expect(FileManager.default.fileExists(atPath: mirror + "/HEAD"))
        #expect(try await source.files(at: first.id).map(\.path) == ["deploy/app.yaml"])

        let next = try served.work.commitFile("deploy/svc.yaml", "kind: Service\n", message: "second")
        try served.work.git("push", "-q", served.bare, "main")
        let second = try await source.resolve()
        #expect(second.id.hex == next)
        #expect(try await source.files(at: second.id).count == 2)
        // A second source over the same data directory reuses the mirror.
        let again = try makeSource("file://" + served.bare, dataDirectory: data)
        #expect(again.mirrorPath == mirror)
        #expect(try await again.resolve().id.hex == next)
    }

    @Test("follows the remote's default branch when it has no main, and fetches tags")
    func remoteDefaultBranch() async throws {
        let work = try TemporaryGitRepository(branch: "trunk")
        let head = try work.commitFile("a.yaml", "a: 1\n")
        try work.tag("v1.0", message: "first release")
        let bare = try TemporaryGitRepository(bare: true, branch: "trunk")
        try work.git("push", "-q", bare.path, "trunk", "--tags")
        #expect(try await makeSource(bare.fileURL).resolve().id.hex == head)
        #expect(try await makeSource(bare.fileURL, reference: .tag("v1.0")).resolve().id.hex == head)
        let missing = await gitSourceError { try await makeSource(bare.fileURL, reference: .branch("main")).resolve() }
        #expect(missing?.code == .notFound)
    }

    @Test("fetches anonymously over HTTP from git http-backend")
    func httpAnonymous() async throws {
        let served = try ServedRepository()
        let server = try GitHTTPServer(root: served.root)
        let source = try makeSource(server.url(served.name), path: "deploy")
        let commit = try await source.resolve()
        #expect(commit.subject == "first")
        #expect(try await source.files(at: commit.id).first?.text == "kind: Deployment\n")
    }

    @Test("fetches over HTTP with a username and token")
    func httpWithCredentials() async throws {
        let served = try ServedRepository()
        let server = try GitHTTPServer(root: served.root)
        let credentials = GitCredentials(username: server.username, password: server.password)
        let source = try makeSource(server.privateURL(served.name), credentials: credentials)
        #expect(try await source.resolve().subject == "first")
    }

    @Test("reports wrong or missing HTTP credentials as an authentication failure")
    func httpBadCredentials() async throws {
        let served = try ServedRepository()
        let server = try GitHTTPServer(root: served.root)
        let wrong = GitCredentials(username: server.username, password: "wrong-token")
        let error = await gitSourceError {
            try await makeSource(server.privateURL(served.name), credentials: wrong).resolve()
        }
        #expect(error?.code == .authenticationFailed)
        #expect(error.map { !"\($0)".contains("wrong-token") } == true)
        let none = await gitSourceError { try await makeSource(server.privateURL(served.name)).resolve() }
        #expect(none?.code == .authenticationFailed)
    }

    @Test("reports a missing remote repository as not found")
    func httpNotFound() async throws {
        let served = try ServedRepository()
        let server = try GitHTTPServer(root: served.root)
        let error = await gitSourceError { try await makeSource(server.url("missing.git")).resolve() }
        #expect(error?.code == .notFound)
    }

    @Test("reports a remote nobody listens on as unreachable")
    func unreachable() async throws {
        let port = try SSHGitServer.freePort()
        let error = await gitSourceError { try await makeSource("http://127.0.0.1:\(port)/repo.git").resolve() }
        #expect(error?.code == .unreachable)
        #expect(error?.call == "git_remote_fetch")
    }
}

@Suite("GitSource: SSH", .serialized)
struct GitSourceSSHTests {
    @Test("fetches over SSH with a key, checking the host key against known_hosts")
    func sshWithKey() async throws {
        guard let server = try sshServer() else { return }
        let served = try ServedRepository()
        let credentials = GitCredentials(sshPrivateKeyPath: server.privateKeyPath, knownHostsPath: server.knownHostsPath)
        let source = try makeSource(server.url(served.bare), path: "deploy", credentials: credentials)
        let commit = try await source.resolve()
        #expect(commit.subject == "first")
        #expect(try await source.files(at: commit.id).count == 1)
    }

    @Test("uses a key protected by a passphrase")
    func sshWithPassphrase() async throws {
        guard let server = try sshServer(passphrase: "correct horse") else { return }
        let served = try ServedRepository()
        let credentials = GitCredentials(
            sshPrivateKeyPath: server.privateKeyPath, sshPassphrase: "correct horse",
            knownHostsPath: server.knownHostsPath)
        #expect(try await makeSource(server.url(served.bare), credentials: credentials).resolve().subject == "first")
    }

    @Test("refuses unknown and changed host keys unless explicitly told not to check")
    func sshHostKeys() async throws {
        guard let server = try sshServer() else { return }
        let served = try ServedRepository()
        let empty = try scratchDirectory("kh") + "/known_hosts"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let unknown = await gitSourceError {
            try await makeSource(
                server.url(served.bare),
                credentials: GitCredentials(sshPrivateKeyPath: server.privateKeyPath, knownHostsPath: empty)
            ).resolve()
        }
        #expect(unknown?.code == .hostKeyRejected)
        #expect(unknown?.message.contains("is not in") == true)
        let changed = await gitSourceError {
            try await makeSource(
                server.url(served.bare),
                credentials: GitCredentials(
                    sshPrivateKeyPath: server.privateKeyPath, knownHostsPath: server.wrongKnownHostsPath)
            ).resolve()
        }
        #expect(changed?.code == .hostKeyRejected)
        #expect(changed?.message.contains("does not match") == true)
        let skipped = GitCredentials(
            sshPrivateKeyPath: server.privateKeyPath, knownHostsPath: empty, insecureSkipHostKeyCheck: true)
        #expect(try await makeSource(server.url(served.bare), credentials: skipped).resolve().subject == "first")
    }

    @Test("reports a key the server does not accept, or no key, as an authentication failure")
    func sshWrongKey() async throws {
        guard let server = try sshServer() else { return }
        let served = try ServedRepository()
        let directory = try scratchDirectory("key")
        try TemporaryGitRepository.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", directory + "/k"])
        let wrong = GitCredentials(sshPrivateKeyPath: directory + "/k", knownHostsPath: server.knownHostsPath)
        let error = await gitSourceError { try await makeSource(server.url(served.bare), credentials: wrong).resolve() }
        #expect(error?.code == .authenticationFailed)
        let none = await gitSourceError {
            try await makeSource(server.url(served.bare), credentials: GitCredentials(knownHostsPath: server.knownHostsPath))
                .resolve()
        }
        #expect(none?.code == .authenticationFailed)
    }

    /// Starts sshd, or prints why it cannot run here and returns nil (the test then checks nothing).
    func sshServer(passphrase: String? = nil) throws -> SSHGitServer? {
        if let reason = SSHGitServer.unavailableReason {
            print("skipping SSH test: \(reason); run scripts/install-deps.sh test")
            return nil
        }
        return try SSHGitServer(passphrase: passphrase)
    }
}
