import Foundation
import TestSupport
import Testing

/// Drives the built `gitopsd source` the way a user would.
@Suite("gitopsd source")
struct SourceCommandTests {
    /// The `gitopsd` binary built next to this test bundle, or nil when it was not built.
    static var binary: String? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("gitopsd").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs gitopsd; returns the exit status, standard output and standard error.
    func gitopsd(_ arguments: [String], in directory: String) throws -> (Int32, String, String) {
        guard let binary = Self.binary else { return (-1, "", "") }
        do {
            let output = try TemporaryGitRepository.run(binary, arguments, in: directory)
            return (0, output, "")
        } catch let failure as CommandFailure {
            return (failure.status, "", failure.standardError)
        }
    }

    @Test("warns when a credential file can be read by other users, and not when it is owner-only")
    func warnsAboutReadableSecretFiles() throws {
        let repository = try TemporaryGitRepository()
        try repository.write("deploy/app.yaml", "kind: Deployment\n")
        _ = try repository.commit("Add the app")
        let secrets = try TemporaryDirectory(prefix: "gitopsd-secret")
        try secrets.write("token", "t0ken\n")
        let token = secrets.appending("token")
        chmod(token, 0o644)
        let open = try ProcessRunner.gitopsd(["source", "--repo", repository.path, "--token-file", token])
        #expect(open.status == 0)
        #expect(open.standardError.contains("warning: the token file \(token) has mode 0644"))
        #expect(open.standardError.contains("chmod 600 \(token)"))
        #expect(!open.standardError.contains("t0ken"))
        chmod(token, 0o600)
        let closed = try ProcessRunner.gitopsd(["source", "--repo", repository.path, "--token-file", token])
        #expect(closed.status == 0)
        #expect(!closed.standardError.contains("warning"))
    }

    @Test("prints the commit and the manifest paths, and a JSON form with sizes")
    func listsManifests() throws {
        guard Self.binary != nil else {
            print("skipping: the gitopsd binary is not built (swift build --product gitopsd)")
            return
        }
        let repository = try TemporaryGitRepository()
        try repository.write("deploy/app.yaml", "kind: Deployment\n")
        try repository.write("deploy/notes.txt", "ignored\n")
        let head = try repository.commit("Add the app")
        let (status, output, _) = try gitopsd(["source", "--repo", repository.path, "--path", "deploy"], in: repository.root)
        #expect(status == 0)
        #expect(output == "commit \(head) Add the app\ndeploy/app.yaml\n")
        let (_, json, _) = try gitopsd(["source", "--repo", "repo", "--path", "deploy", "-o", "json"], in: repository.root)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let files = object?["files"] as? [[String: Any]]
        #expect(files?.first?["size"] as? Int == 17)
        let (_, pinned, _) = try gitopsd(
            ["source", "--repo", "repo", "--revision", String(head.prefix(7))], in: repository.root)
        #expect(pinned.hasPrefix("commit \(head) "))
        let (_, log, _) = try gitopsd(["source", "log", "--repo", "repo", "-n", "1"], in: repository.root)
        #expect(log.hasPrefix(String(head.prefix(7))))
        #expect(log.contains("Add the app"))
    }

    @Test("reports a missing repository or branch as one line on standard error with status 1")
    func reportsErrors() throws {
        guard Self.binary != nil else {
            print("skipping: the gitopsd binary is not built (swift build --product gitopsd)")
            return
        }
        let repository = try TemporaryGitRepository()
        try repository.commitFile("a.yaml", "a: 1\n")
        let (status, _, error) = try gitopsd(["source", "--repo", "missing"], in: repository.root)
        #expect(status == 1)
        #expect(error.hasPrefix("error: no such repository"))
        #expect(error.split(separator: "\n").count == 1)
        let (branchStatus, _, branchError) = try gitopsd(["source", "--repo", "repo", "--branch", "x"], in: repository.root)
        #expect(branchStatus == 1)
        #expect(branchError.contains("no branch 'x'"))
    }
}
