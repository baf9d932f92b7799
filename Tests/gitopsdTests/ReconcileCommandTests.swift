import API
import Foundation
import Glibc
import TestSupport
import Testing

/// `gitopsd reconcile --once` and `gitopsd diff` as a CI job runs them: each exit code, through the built binary.
@Suite struct ReconcileCommandTests {
    static func app(replicas: Int = 1, ready: Bool = true, image: String = "demo:1") -> String {
        // A readiness probe that fails forever keeps the rollout from completing.
        let probePath = ready ? "/" : "/never-there"
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: demo, namespace: default}
            spec:
              replicas: \(replicas)
              progressDeadlineSeconds: 600
              selector: {matchLabels: {app: demo}}
              template:
                metadata: {labels: {app: demo}}
                spec:
                  terminationGracePeriodSeconds: 2
                  containers:
                    - name: demo
                      image: \(image)
                      command: [python3, -m, http.server, "$(PORT)", --bind, 127.0.0.1]
                      ports: [{name: http, containerPort: 8000}]
                      readinessProbe:
                        httpGet: {path: \(probePath), port: http}
                        periodSeconds: 1
                        failureThreshold: 1
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {mode: ci}
            """
    }

    let repo: TemporaryGitRepository
    let data: TemporaryDirectory

    init() throws {
        repo = try TemporaryGitRepository()
        data = try TemporaryDirectory(prefix: "gitopsd-ci")
        try repo.write("deploy/app.yaml", Self.app())
        _ = try repo.commit("demo app")
    }

    func gitopsd(_ arguments: String...) async throws -> ProcessResult {
        var arguments = arguments + ["--repo", repo.path, "--path", "deploy", "--data-dir", data.path]
        if arguments.contains("--wait") {
            arguments += [
                "--ingress-address", "127.0.0.1:\(LoopbackHTTP.freePort())", "--ingress-tls-address", "",
                "--service-cidr", "127.\(Int.random(in: 20...250)).0.0/16",
            ]
        }
        return try await ProcessRunner.gitopsdDetached(arguments)
    }

    @Test func dryRunReportsChangesWithExitTwoThenApplyThenInSync() async throws {
        let dry = try await gitopsd("reconcile", "--once", "--dry-run")
        #expect(dry.status == 2)
        #expect(dry.standardOutput.contains("+ create Deployment/default/demo"))
        #expect(dry.standardOutput.contains("dry run: nothing applied"))

        let diff = try await gitopsd("diff")
        #expect(diff.status == 2)
        #expect(diff.standardOutput.contains("+++ desired/ConfigMap/default/settings"))

        let applied = try await gitopsd("reconcile", "--once", "-o", "json")
        #expect(applied.status == 0, "\(applied.standardError)")
        let report = try Value(json: applied.standardOutput)
        #expect(report["result"] == "Applied")
        #expect(report["created"] == 2)

        #expect(try await gitopsd("reconcile", "--once", "--dry-run").status == 0)
        #expect(try await gitopsd("diff").status == 0)
    }

    @Test func anInvalidCommitExitsOneAndAppliesNothing() async throws {
        try repo.write("deploy/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  labels: {tier: [x]}\n")
        _ = try repo.commit("bad labels")
        let result = try await gitopsd("reconcile", "--once")
        #expect(result.status == 1)
        #expect(result.standardError.contains("deploy/bad.yaml:5:"))
        let get = try await ProcessRunner.gitopsdDetached(["get", "deployments", "--data-dir", data.path])
        #expect(get.standardOutput.isEmpty)
    }

    @Test func waitRunsTheWorkloadsUntilHealthyThenStopsThem() async throws {
        let result = try await gitopsd("reconcile", "--once", "--wait", "--timeout", "90s")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("all 2 objects healthy"))
        // The workloads it started are stopped when it exits.
        let records = (try? FileManager.default.contentsOfDirectory(atPath: data.path + "/node/pods")) ?? []
        #expect(records.isEmpty)
    }

    @Test func waitFailsWithExitOneNamingTheUnhealthyObject() async throws {
        try repo.write("deploy/app.yaml", Self.app(ready: false))
        _ = try repo.commit("never ready")
        let result = try await gitopsd("reconcile", "--once", "--wait", "--timeout", "4s")
        #expect(result.status == 1)
        #expect(result.standardError.contains("Deployment/default/demo"))
        #expect(result.standardError.contains("not healthy after 4s"))
    }

    @Test func refusesToRunBesideADaemon() async throws {
        let daemon = try SpawnedProcess(
            BuiltProducts.executable("gitopsd"),
            ["serve", "--data-dir", data.path, "--api-address", "127.0.0.1:\(LoopbackHTTP.freePort())",
             "--ingress-address", "127.0.0.1:\(LoopbackHTTP.freePort())", "--ingress-tls-address", "",
             "--log-level", "error"])
        defer { daemon.stop() }
        let locked = await eventually(timeout: .seconds(30)) {
            (try? String(contentsOfFile: data.path + "/daemon.lock", encoding: .utf8))?.contains("\(daemon.pid)") == true
        }
        try #require(locked)
        let result = try await gitopsd("reconcile", "--once")
        #expect(result.status == 1)
        #expect(result.standardError.contains("a gitopsd daemon (pid \(daemon.pid)) is running"))
    }
}
