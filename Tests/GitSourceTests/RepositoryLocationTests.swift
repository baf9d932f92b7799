import Foundation
import GitSource
import Testing

@Suite("RepositoryLocation: what the user typed")
struct RepositoryLocationTests {
    @Test(
        "classifies paths and URLs",
        arguments: [
            ("/srv/repo", false), ("repo", false), ("./a/b", false), ("file:///srv/repo.git", true),
            ("https://example.com/org/repo.git", true), ("http://127.0.0.1:8080/r.git", true),
            ("ssh://git@example.com:2222/org/repo.git", true), ("git@example.com:org/repo.git", true),
            ("example.com:org/repo.git", true),
        ])
    func classifies(repository: String, remote: Bool) throws {
        #expect(try RepositoryLocation(parsing: repository, currentDirectory: "/work").isRemote == remote)
    }

    @Test("resolves relative paths against the current directory")
    func resolvesRelative() throws {
        #expect(try RepositoryLocation(parsing: "../repo/./x", currentDirectory: "/work/a") == .local(path: "/work/repo/x"))
    }

    @Test("refuses unknown schemes and empty input")
    func refuses() {
        #expect(throws: GitSourceError.self) { try RepositoryLocation(parsing: "ftp://x/y", currentDirectory: "/") }
        #expect(throws: GitSourceError.self) { try RepositoryLocation(parsing: " ", currentDirectory: "/") }
    }

    @Test("never shows a password embedded in a URL")
    func redacts() throws {
        let location = try RepositoryLocation(parsing: "https://me:hunter2@example.com/r.git", currentDirectory: "/")
        #expect(!location.description.contains("hunter2"))
        #expect(location.description == "https://me:***@example.com/r.git")
        let credentials = GitCredentials(username: "me", password: "hunter2", sshPassphrase: "pass-phrase")
        #expect(!"\(credentials)".contains("hunter2"))
        #expect(!String(reflecting: credentials).contains("pass-phrase"))
    }

    @Test("gives each remote a stable, distinct mirror directory without credentials")
    func mirrorNames() throws {
        let a = try makeSource("https://me:hunter2@example.com/org/repo.git")
        let b = try makeSource("https://example.com/org/repo.git")
        let aPath = try #require(a.mirrorPath)
        let bPath = try #require(b.mirrorPath)
        #expect(aPath.contains("/sources/example.com-org-repo-"))
        #expect(aPath.hasSuffix(".git"))
        #expect(!aPath.contains("hunter2"))
        #expect(URL(fileURLWithPath: aPath).lastPathComponent != URL(fileURLWithPath: bPath).lastPathComponent)
        let again = try makeSource("https://me:hunter2@example.com/org/repo.git")
        #expect(URL(fileURLWithPath: again.mirrorPath ?? "").lastPathComponent == URL(fileURLWithPath: aPath).lastPathComponent)
    }
}
