import Foundation
import Glibc
import TestSupport
import Testing

/// The data directory holds Secrets: after the daemon has stored one, no other local user can read it, from the
/// database, its WAL, the history, the lock or anything else under the directory.
@Suite(.serialized) struct DataDirectoryPermissionsTests {
    static let secretValue = "hunter2-do-not-leak"

    /// Runs `cat FILE` as uid/gid `nobody`; its exit status (0 means the file was readable).
    static func readAsNobody(_ file: String) throws -> Int32 {
        try ProcessRunner.run(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/cat", file]
        ).status
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0o7777
    }

    @Test func aDaemonsFilesAreOwnerOnlyEvenInADirectoryMadeWorldReadable() async throws {
        let repo = try TemporaryGitRepository()
        let base = try TemporaryDirectory(prefix: "gitopsd-perms")
        let data = base.appending("data")
        // A directory the user made by hand, as umask 022 leaves it.
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: false)
        chmod(data, 0o755)
        chmod(base.path, 0o755)
        try repo.write(
            "deploy/secret.yaml",
            """
            apiVersion: v1
            kind: Secret
            metadata: {name: db, namespace: default}
            stringData: {password: \(Self.secretValue)}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: sleeper, namespace: default}
            spec:
              containers: [{name: main, image: local/sleep, command: [/bin/sh, -c, "echo started; exec sleep 1000"]}]
            """)
        let commit = try repo.commit("a secret")
        let apiPort = LoopbackHTTP.freePort()
        let daemon = try SpawnedProcess(
            BuiltProducts.executable("gitopsd"),
            [
                "serve", "--repo", repo.path, "--path", "deploy", "--data-dir", data, "--interval", "1s",
                "--api-address", "127.0.0.1:\(apiPort)", "--ingress-address", "127.0.0.1:\(LoopbackHTTP.freePort())",
                "--ingress-tls-address", "", "--log-level", "warning",
            ])
        defer { daemon.stop() }
        let synced = await eventually(timeout: .seconds(60)) {
            let history = (try? String(contentsOfFile: data + "/history.jsonl", encoding: .utf8)) ?? ""
            return history.contains(commit)
        }
        try #require(synced)
        // The pod's log is written under the data directory too.
        let logged = await eventually(timeout: .seconds(60)) {
            let files = FileManager.default.subpaths(atPath: data) ?? []
            return files.contains { $0.hasPrefix("logs/") && $0.hasSuffix(".log") }
        }
        #expect(logged)

        #expect(Self.mode(data) == 0o700)
        for file in ["state.db", "state.db-wal", "history.jsonl", "daemon.lock"] {
            #expect(Self.mode(data + "/" + file) == 0o600, "\(file) is 0\(String(Self.mode(data + "/" + file), radix: 8))")
        }
        var isDirectory: ObjCBool = false
        for file in FileManager.default.subpaths(atPath: data) ?? []
        where FileManager.default.fileExists(atPath: data + "/" + file, isDirectory: &isDirectory) && !isDirectory.boolValue {
            #expect(Self.mode(data + "/" + file) & 0o077 == 0, "\(file) is 0\(String(Self.mode(data + "/" + file), radix: 8))")
        }
        guard getuid() == 0 else { return }
        // Not even a file whose own mode is too wide can be reached through the directory.
        let files = try #require(FileManager.default.subpaths(atPath: data)).map { data + "/" + $0 }
        #expect(!files.isEmpty)
        for file in files {
            #expect(try Self.readAsNobody(file) != 0, "nobody can read \(file)")
        }
    }
}
