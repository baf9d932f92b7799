import API
import Foundation
import Glibc
import TestSupport
import Testing

/// The product, driven as a user would: a git repository made from examples-repo/, `gitopsd serve` on it,
/// requests through the Ingress while commits roll the app forward and back.
@Suite(.serialized) struct DaemonEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Sends requests through the Ingress from its own thread until stopped (at most `limit`), recording
    /// every status and which web version answered.
    final class PollingClient: @unchecked Sendable {
        struct Tally: Sendable {
            var statuses: [Int: Int] = [:]
            var versions: Set<String> = []
            var failures: [String] = []
            var count = 0
        }

        private let lock = NSLock()
        private var tally = Tally()
        private var stopped = false

        init(port: Int, limit: Int = 20_000) {
            Thread { [self] in
                while !lock.withLock({ stopped || tally.count >= limit }) {
                    let response = LoopbackHTTP.request(port: port, path: "/")
                    lock.withLock {
                        tally.count += 1
                        guard let response else {
                            tally.failures.append("no response")
                            return
                        }
                        tally.statuses[response.status, default: 0] += 1
                        if response.status != 200 { tally.failures.append("\(response.status): \(response.body.prefix(120))") }
                        if let range = response.body.range(of: "web v") {
                            tally.versions.insert(String(response.body[range.upperBound...].prefix(1)))
                        }
                    }
                    usleep(20_000)
                }
            }.start()
        }

        func stop() -> Tally {
            lock.withLock { stopped = true }
            usleep(200_000)
            return lock.withLock { tally }
        }
    }

    let repo: TemporaryGitRepository
    let data: TemporaryDirectory
    let apiPort = LoopbackHTTP.freePort()
    let ingressPort = LoopbackHTTP.freePort()

    init() throws {
        repo = try TemporaryGitRepository()
        data = try TemporaryDirectory(prefix: "gitopsd-e2e")
        let manifests = Self.root.appendingPathComponent("examples-repo/manifests")
        for file in try FileManager.default.contentsOfDirectory(atPath: manifests.path).sorted() {
            try repo.write("manifests/\(file)", String(contentsOf: manifests.appendingPathComponent(file), encoding: .utf8))
        }
        _ = try repo.commit("Initial shop")
    }

    func gitopsd(_ arguments: String...) async throws -> ProcessResult {
        try await ProcessRunner.gitopsdDetached(arguments + ["--data-dir", data.path])
    }

    func deployment(_ name: String) async throws -> Value? {
        let result = try await gitopsd("get", "deployment", name, "-n", "shop", "-o", "json")
        return result.status == 0 ? try Value(json: result.standardOutput) : nil
    }

    /// Waits until the daemon has applied `commit` to the Deployment, then until its rollout completes.
    func waitForRollout(of name: String, to commit: String) async throws {
        let applied = await eventually(timeout: .seconds(60)) {
            (try? await deployment(name))?[path: ["metadata", "annotations", "gitopsd.io/commit"]]?.stringValue == commit
        }
        try #require(applied, "the daemon did not apply \(commit) to deployment \(name)")
        let status = try await gitopsd("rollout", "status", "deployment/\(name)", "-n", "shop", "--timeout", "120s")
        try #require(status.status == 0, "rollout status: \(status.standardOutput) \(status.standardError)")
    }

    func syncHistory() async throws -> [Value] {
        let result = try await gitopsd("history", "-o", "json")
        return (try? Value(json: result.standardOutput))?.arrayValue ?? []
    }

    @Test func pushToDeployRevertToRollBackAndABadCommitAppliesNothing() async throws {
        let daemon = try SpawnedProcess(
            BuiltProducts.executable("gitopsd"),
            [
                "serve", "--repo", repo.path, "--path", "manifests", "--data-dir", data.path, "--interval", "1s",
                "--api-address", "127.0.0.1:\(apiPort)", "--ingress-address", "127.0.0.1:\(ingressPort)",
                "--ingress-tls-address", "", "--service-cidr", "127.\(Int.random(in: 20...250)).0.0/16",
                "--log-level", "warning",
            ])
        defer { daemon.stop() }

        // The app answers through the Ingress, web calling api through its Service.
        let serving = await eventually(timeout: .seconds(120)) {
            let response = await LoopbackHTTP.fetch(port: ingressPort, path: "/")
            return response?.status == 200 && response?.body.contains("web v1") == true
                && response?.body.contains("api says: hello from the api") == true
        }
        try #require(serving, "the example app never answered through the Ingress")
        let firstReplicaSets = try await gitopsd("get", "rs", "-n", "shop", "-o", "json").standardOutput
        let originalWebReplicaSet = try #require(
            (try Value(json: firstReplicaSets))["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
                .first { $0.hasPrefix("web-") })

        // Push a version bump while a client polls through the Ingress: no request may fail.
        let client = PollingClient(port: ingressPort)
        let webManifest = try String(contentsOfFile: repo.path + "/manifests/web.yaml", encoding: .utf8)
        try repo.write("manifests/web.yaml", webManifest.replacingOccurrences(of: "value: v1", with: "value: v2"))
        let bump = try repo.commit("web: version 2")
        try await waitForRollout(of: "web", to: bump)
        let upgraded = await eventually(timeout: .seconds(30)) {
            await LoopbackHTTP.fetch(port: ingressPort, path: "/")?.body.contains("web v2") == true
        }
        #expect(upgraded)
        let tally = client.stop()
        let ingressMetrics = await LoopbackHTTP.fetch(port: apiPort, path: "/metrics")?.body ?? ""
        #expect(ingressMetrics.contains("gitopsd_ingress_requests_total{code=\"2xx\"}"))
        #expect(tally.count >= 20, "only \(tally.count) requests were sent during the rollout")
        #expect(tally.failures.isEmpty, "failed requests during the rollout: \(tally.failures.prefix(5))")
        #expect(tally.versions == ["1", "2"], "versions seen: \(tally.versions) over \(tally.count) requests")

        // Revert: the old ReplicaSet comes back under a new revision, named after the revert commit.
        _ = try repo.git("revert", "--no-edit", "HEAD")
        let revert = try repo.head()
        try await waitForRollout(of: "web", to: revert)
        let revisions = try await gitopsd("rollout", "history", "deployment/web", "-n", "shop")
        #expect(revisions.standardOutput.contains(String(bump.prefix(7))))
        #expect(revisions.standardOutput.contains(String(revert.prefix(7))))
        #expect(revisions.standardOutput.contains("Revert \"web: version 2\""))
        let reused = try Value(json: try await gitopsd("get", "rs", originalWebReplicaSet, "-n", "shop", "-o", "json").standardOutput)
        #expect(reused[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] == "3")
        #expect(reused[path: ["metadata", "annotations", "gitopsd.io/commit"]]?.stringValue == revert)
        let syncs = try await syncHistory()
        #expect(syncs.filter { $0["result"] == "Applied" }.count >= 3)

        // A broken commit applies nothing, is reported with its location, and the app keeps serving.
        try repo.write("manifests/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  namespace: shop\ndata: [unclosed\n")
        let broken = try repo.commit("broken manifest")
        let reported = await eventually(timeout: .seconds(60)) {
            (try? await syncHistory())?.first { $0["commit"]?.stringValue == broken }?["result"] == "Failed"
        }
        #expect(reported)
        let failure = try await syncHistory().first { $0["commit"]?.stringValue == broken }
        #expect(failure?["errors"]?.arrayValue?.contains { $0.stringValue?.contains("manifests/broken.yaml:") == true } == true)
        #expect(await LoopbackHTTP.fetch(port: ingressPort, path: "/")?.status == 200)
        let status = await LoopbackHTTP.fetch(port: apiPort, path: "/gitops/v1/status")
        #expect(status?.body.contains("\"sync\" : \"Failed\"") == true)

        // A fix recovers without intervention.
        try repo.remove("manifests/broken.yaml")
        let fix = try repo.commit("fix the manifest")
        let recovered = await eventually(timeout: .seconds(60)) {
            guard let record = (try? await syncHistory())?.first(where: { $0["commit"]?.stringValue == fix }) else { return false }
            return record["result"] != "Failed"
        }
        #expect(recovered)

        // SIGTERM stops the workloads with the daemon: no process is left behind.
        let pids = try FileManager.default.contentsOfDirectory(atPath: data.path + "/node/pods").compactMap { file -> Int32? in
            let text = try? String(contentsOfFile: data.path + "/node/pods/" + file, encoding: .utf8)
            return text.flatMap { try? Value(json: $0) }.flatMap { Self.pids(in: $0) }?.first
        }
        #expect(!pids.isEmpty)
        daemon.stop()
        let gone = await eventually(timeout: .seconds(40)) { pids.allSatisfy { kill($0, 0) != 0 } }
        #expect(gone, "pods still running after the daemon stopped: \(pids.filter { kill($0, 0) == 0 })")
    }

    @Test func webhooksFetchAtOnceAndTheAPIReportsHealthMetricsAndStatus() async throws {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\ndata: {mode: MODE}\n"
        try repo.write("config/settings.yaml", cm.replacingOccurrences(of: "MODE", with: "one"))
        _ = try repo.commit("config one")
        try data.write("webhook-secret", "s3cret-for-hooks\n")
        let daemon = try SpawnedProcess(
            BuiltProducts.executable("gitopsd"),
            [
                "serve", "--repo", repo.path, "--path", "config", "--data-dir", data.path, "--interval", "300s",
                "--name", "hooked", "--webhook-secret-file", data.appending("webhook-secret"),
                "--api-address", "127.0.0.1:\(apiPort)", "--ingress-address", "127.0.0.1:\(ingressPort)",
                "--ingress-tls-address", "", "--log-level", "warning",
            ])
        defer { daemon.stop() }
        let ready = await eventually(timeout: .seconds(60)) {
            await LoopbackHTTP.fetch(port: apiPort, path: "/readyz")?.status == 200
        }
        try #require(ready)
        #expect(await LoopbackHTTP.fetch(port: apiPort, path: "/healthz")?.body == "ok\n")
        let metrics = await LoopbackHTTP.fetch(port: apiPort, path: "/metrics")?.body ?? ""
        #expect(metrics.contains("gitopsd_sync_total{source=\"hooked\",result=\"Applied\"} 1"))
        #expect(metrics.contains("gitopsd_last_applied_commit{source=\"hooked\",commit=\"\(try repo.head())\"} 1"))
        #expect(metrics.contains("gitopsd_controller_queue_depth{controller="))
        let status = try Value(json: await LoopbackHTTP.fetch(port: apiPort, path: "/gitops/v1/status")?.body ?? "")
        let source = status["sources"]?.arrayValue?.first
        #expect(source?["source"] == "hooked")
        #expect(source?["sync"] == "Synced")
        #expect(source?["health"]?["status"] == "Healthy")

        try repo.write("config/settings.yaml", cm.replacingOccurrences(of: "MODE", with: "two"))
        let pushed = try repo.commit("config two")
        let body = Array(#"{"ref":"refs/heads/main"}"#.utf8)
        let unsigned = await LoopbackHTTP.fetch("POST", port: apiPort, path: "/hooks/github", body: body)
        #expect(unsigned?.status == 401)
        let forged = await LoopbackHTTP.fetch(
            "POST", port: apiPort, path: "/hooks/github",
            headers: ["X-Hub-Signature-256": try Self.signature(secret: "guessed", body: body)], body: body)
        #expect(forged?.status == 401)
        let signed = await LoopbackHTTP.fetch(
            "POST", port: apiPort, path: "/hooks/github",
            headers: ["X-Hub-Signature-256": try Self.signature(secret: "s3cret-for-hooks", body: body)], body: body)
        #expect(signed?.status == 202)
        // The poll interval is 300 s: only the webhook can bring the commit in within this wait.
        let applied = await eventually(timeout: .seconds(30)) {
            let result = try? await gitopsd("get", "configmap", "settings", "-o", "json")
            return (result.flatMap { try? Value(json: $0.standardOutput) })?[path: ["data", "mode"]] == "two"
        }
        #expect(applied)
        #expect(try await syncHistory().first?["commit"]?.stringValue == pushed)
        let gitlab = await LoopbackHTTP.fetch(
            "POST", port: apiPort, path: "/hooks/gitlab", headers: ["X-Gitlab-Token": "s3cret-for-hooks"], body: body)
        #expect(gitlab?.status == 202)
    }

    @Test func aDaemonKilledWithSIGKILLAdoptsItsPodsOnRestart() async throws {
        try repo.write("demo/app.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: demo, namespace: default}
            spec:
              replicas: 2
              selector: {matchLabels: {app: demo}}
              template:
                metadata: {labels: {app: demo}}
                spec:
                  containers:
                    - name: demo
                      image: demo:1
                      command: [python3, -m, http.server, "$(PORT)", --bind, 127.0.0.1]
                      ports: [{name: http, containerPort: 8000}]
                      readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
            """)
        _ = try repo.commit("demo")
        let arguments = [
            "serve", "--repo", repo.path, "--path", "demo", "--data-dir", data.path, "--interval", "1s",
            "--api-address", "127.0.0.1:\(apiPort)", "--ingress-address", "127.0.0.1:\(ingressPort)",
            "--ingress-tls-address", "", "--log-level", "warning",
        ]
        func available() async -> Bool {
            let result = try? await gitopsd("get", "deployment", "demo", "-o", "json")
            return (result.flatMap { try? Value(json: $0.standardOutput) })?[path: ["status", "availableReplicas"]] == 2
        }
        func podProcesses() -> [String: Int32] {
            let directory = data.path + "/node/pods"
            var pids: [String: Int32] = [:]
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                guard let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8),
                    let record = try? Value(json: text), let pid = Self.pids(in: record)?.first
                else { continue }
                pids[file] = pid
            }
            return pids
        }

        let first = try SpawnedProcess(BuiltProducts.executable("gitopsd"), arguments)
        #expect(await eventually(timeout: .seconds(60)) { await available() })
        let before = podProcesses()
        #expect(before.count == 2)
        kill(first.pid, SIGKILL)
        first.stop()  // reaps it
        #expect(before.values.allSatisfy { kill($0, 0) == 0 }, "pods must outlive a killed daemon")

        let second = try SpawnedProcess(BuiltProducts.executable("gitopsd"), arguments)
        defer { second.stop() }
        #expect(await eventually(timeout: .seconds(60)) {
            let ready = await LoopbackHTTP.fetch(port: apiPort, path: "/readyz")?.status == 200
            return ready ? await available() : false
        })
        try await Task.sleep(for: .seconds(2))
        // The same processes were adopted: no second copy, none restarted.
        #expect(podProcesses() == before)
        let pods = try Value(json: try await gitopsd("get", "pods", "-o", "json").standardOutput)["items"]?.arrayValue ?? []
        #expect(pods.count == 2)
        second.stop()
        #expect(await eventually(timeout: .seconds(40)) { before.values.allSatisfy { kill($0, 0) != 0 } })
    }

    @Test func aConfigFileFollowsSeveralSourcesEachWithItsOwnLabel() async throws {
        try repo.write("one/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-one}\ndata: {k: v}\n")
        _ = try repo.commit("source one")
        let other = try TemporaryGitRepository()
        try other.write("two/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-two}\ndata: {k: v}\n")
        _ = try other.commit("source two")
        try data.write("gitopsd.yaml", """
            sources:
              - name: first
                repo: \(repo.path)
                path: one
                interval: 1s
              - name: second
                repo: file://\(other.path)
                branch: main
                path: two
                interval: 1s
            """)
        let daemon = try SpawnedProcess(
            BuiltProducts.executable("gitopsd"),
            [
                "serve", "--config", data.appending("gitopsd.yaml"), "--data-dir", data.path,
                "--api-address", "127.0.0.1:\(apiPort)", "--ingress-address", "127.0.0.1:\(ingressPort)",
                "--ingress-tls-address", "", "--log-level", "warning",
            ])
        defer { daemon.stop() }
        let ready = await eventually(timeout: .seconds(60)) {
            await LoopbackHTTP.fetch(port: apiPort, path: "/readyz")?.status == 200
        }
        try #require(ready)
        for (name, source) in [("from-one", "first"), ("from-two", "second")] {
            let object = try Value(json: try await gitopsd("get", "cm", name, "-o", "json").standardOutput)
            #expect(object[path: ["metadata", "labels", "gitopsd.io/source"]]?.stringValue == source)
        }
        let status = try Value(json: await LoopbackHTTP.fetch(port: apiPort, path: "/gitops/v1/status")?.body ?? "")
        #expect(status["sources"]?.arrayValue?.compactMap { $0["source"]?.stringValue }.sorted() == ["first", "second"])
    }

    /// GitHub's `X-Hub-Signature-256` for `body`, computed by Python's hmac module (independent of ours).
    static func signature(secret: String, body: [UInt8]) throws -> String {
        let script = "import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())"
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, secret], input: body)
        return "sha256=" + result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every `pid` member anywhere in a node-state record.
    static func pids(in value: Value) -> [Int32]? {
        switch value {
        case .object(let members):
            var found: [Int32] = members["pid"]?.intValue.map { [Int32($0)] } ?? []
            for (key, member) in members where key != "pid" { found += pids(in: member) ?? [] }
            return found
        case .array(let elements):
            return elements.flatMap { pids(in: $0) ?? [] }
        default:
            return []
        }
    }
}
