import Foundation
import TestSupport
import Testing

/// Text from a repository never reaches a terminal or a log as control characters: a file name with a newline and
/// ANSI escapes cannot forge a log line, and a commit subject with ESC and BEL sequences is shown escaped by
/// `history` and `rollout history`.
@Suite(.serialized) struct TerminalInjectionTests {
    static let escape = UInt8(0x1B)
    static let bell = UInt8(0x07)
    /// A subject that retitles the terminal window (OSC 0 ... BEL) and turns the text red (CSI 31 m).
    static let hostileSubject = "deploy \u{1B}]0;pwned\u{07}\u{1B}[31mred"
    static let forgedLine = "2026-01-01T00:00:00+0000 critical gitopsd: FORGED LOG LINE"

    let repo: TemporaryGitRepository
    let data: TemporaryDirectory

    init() throws {
        repo = try TemporaryGitRepository()
        data = try TemporaryDirectory(prefix: "gitopsd-escape")
    }

    func gitopsd(_ arguments: String...) async throws -> ProcessResult {
        try await ProcessRunner.gitopsdDetached(arguments + ["--data-dir", data.path])
    }

    static func hasControlBytes(_ text: String) -> Bool {
        text.utf8.contains { $0 == escape || $0 == bell }
    }

    @Test func aHostileCommitSubjectIsShownEscapedByHistoryAndRolloutHistory() async throws {
        try repo.write(
            "deploy/app.yaml",
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: app, namespace: default}
            spec:
              replicas: 0
              selector: {matchLabels: {app: app}}
              template:
                metadata: {labels: {app: app}}
                spec:
                  containers: [{name: app, image: local/app, command: [sleep, "1000"]}]
            """)
        _ = try repo.commit(Self.hostileSubject)
        let applied = try await gitopsd(
            "reconcile", "--once", "--wait", "--timeout", "60s", "--repo", repo.path, "--path", "deploy")
        #expect(applied.status == 0, "\(applied.standardError)")

        let history = try await gitopsd("history")
        #expect(history.status == 0)
        #expect(!Self.hasControlBytes(history.standardOutput), "\(history.standardOutput.debugDescription)")
        #expect(history.standardOutput.contains(#"deploy \x1b]0;pwned\x07\x1b[31mred"#))

        let rollout = try await gitopsd("rollout", "history", "deployment/app")
        #expect(rollout.status == 0, "\(rollout.standardError)")
        #expect(!Self.hasControlBytes(rollout.standardOutput), "\(rollout.standardOutput.debugDescription)")
        #expect(rollout.standardOutput.contains(#"\x1b]0;pwned"#))
    }

    @Test func aFileNameWithANewlineAndEscapesCannotForgeALogLine() async throws {
        // An invalid manifest, so its name is quoted in the error the daemon logs.
        let name = "deploy/x\n\(Self.forgedLine)\u{1B}[2K.yaml"
        try repo.write(name, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [not, a, name]}\n")
        _ = try repo.commit("a hostile file name")
        let log = data.appending("daemon.log")
        let daemon = try SpawnedProcess(
            "/bin/sh",
            [
                "-c", #"exec "$0" "$@" 2>"$LOG""#.replacingOccurrences(of: "$LOG", with: log),
                BuiltProducts.executable("gitopsd"), "serve", "--repo", repo.path, "--path", "deploy",
                "--data-dir", data.path, "--interval", "1s", "--api-address", "127.0.0.1:\(LoopbackHTTP.freePort())",
                "--ingress-address", "127.0.0.1:\(LoopbackHTTP.freePort())", "--ingress-tls-address", "",
            ])
        let logged = await eventually(timeout: .seconds(60)) {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("FORGED LOG LINE")
        }
        daemon.stop()
        try #require(logged)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(!Self.hasControlBytes(text))
        for line in text.split(separator: "\n") {
            #expect(!line.hasPrefix(Self.forgedLine), "forged: \(line)")
        }
        #expect(text.contains(#"x\n2026-01-01T00:00:00+0000 critical gitopsd: FORGED LOG LINE\x1b[2K.yaml"#))

        // The CLI's own errors are escaped the same way.
        let validate = try await ProcessRunner.gitopsdDetached(["validate", repo.path + "/deploy"])
        #expect(validate.status == 1)
        #expect(!Self.hasControlBytes(validate.standardOutput + validate.standardError))
    }
}
