import API
import Foundation
import Glibc
import TestSupport
import Testing

@testable import Orchestrator

/// The node agent end to end: a real SQLite store, real processes, real ports.
@Suite("Kubelet", .serialized)
struct KubeletTests {
    @Test func aPodBecomesAProcessWithTheKubernetesEnvironment() async throws {
        let harness = try KubeletHarness()
        try await harness.create(
            ConfigMap(
                metadata: ObjectMeta(name: "settings", namespace: "default"), data: ["GREETING": "hello", "LEVEL": "3"])
        )
        var secret = Secret(metadata: ObjectMeta(name: "creds", namespace: "default"))
        secret.data = ["password": Array("s3cret".utf8)]
        try await harness.create(secret)
        var service = Service(metadata: ObjectMeta(name: "db-main", namespace: "default"))
        service.spec.clusterIP = "10.96.0.7"
        service.spec.ports = [ServicePort(name: "pg", port: 5432)]
        try await harness.create(service)

        let file = harness.path("env.json")
        var password = EnvVar(name: "PASSWORD")
        password.valueFrom = EnvVarSource()
        password.valueFrom?.secretKeyRef = KeySelector(name: "creds", key: "password")
        var podName = EnvVar(name: "MY_NAME")
        podName.valueFrom = EnvVarSource()
        podName.valueFrom?.fieldRef = ObjectFieldSelector(fieldPath: "metadata.name")
        let pod = testPod(
            "env", command: envDumper(file), ports: [ContainerPort(name: "http", containerPort: 8080)],
            env: [password, podName, EnvVar(name: "MESSAGE", value: "$(GREETING)-$(MY_NAME)-$$(GREETING)")]
        ) { pod in
            var fromMap = EnvFromSource()
            fromMap.configMapRef = LocalObjectReference(name: "settings")
            var fromSecret = EnvFromSource()
            fromSecret.secretRef = LocalObjectReference(name: "creds")
            fromSecret.prefix = "SECRET_"
            pod.spec.containers[0].envFrom = [fromMap, fromSecret]
            pod.spec.containers[0].args = ["$(GREETING)", "$(NOT_DEFINED)"]
        }
        try await harness.create(pod)
        let running = harness.start()

        let dump = try #require(await readJSON(file))
        let env = try #require(dump["env"] as? [String: String])
        let live = try #require(
            await harness.waitForPod("env") { $0.status.phase == "Running" && $0.condition("Ready")?.status == "True" })
        let ports = try #require(PodPorts(pod: live))
        let http = try #require(ports.binding(for: .string("http")))
        #expect(http.containerPort == 8080)
        #expect(env["PORT"] == String(http.hostPort))
        #expect(env["PORT_HTTP"] == String(http.hostPort))
        #expect(env["POD_NAME"] == "env")
        #expect(env["POD_NAMESPACE"] == "default")
        #expect(env["POD_IP"] == "127.0.0.1")
        #expect(env["DB_MAIN_SERVICE_HOST"] == "10.96.0.7")
        #expect(env["DB_MAIN_SERVICE_PORT"] == "5432")
        #expect(env["DB_MAIN_SERVICE_PORT_PG"] == "5432")
        #expect(env["DB_MAIN_PORT_5432_TCP_ADDR"] == "10.96.0.7")
        #expect(env["GREETING"] == "hello")
        #expect(env["LEVEL"] == "3")
        #expect(env["SECRET_password"] == "s3cret")
        #expect(env["PASSWORD"] == "s3cret")
        #expect(env["MY_NAME"] == "env")
        #expect(env["MESSAGE"] == "hello-env-$(GREETING)")
        #expect(dump["argv"] as? [String] == ["hello", "$(NOT_DEFINED)"])

        #expect(live.status.hostIP == "127.0.0.1")
        #expect(live.status.podIP == "127.0.0.1")
        #expect(live.status.startTime != nil)
        #expect(live.mainStatus?.state?.isRunning == true)
        #expect(live.mainStatus?.image == "example/app:1")
        #expect(live.mainStatus?.ready == true)
        #expect(live.condition("PodScheduled")?.status == "True")
        #expect(live.condition("Initialized")?.status == "True")
        #expect(live.condition("ContainersReady")?.status == "True")
        let reasons = await harness.events("env").map(\.reason)
        #expect(reasons.contains("Scheduled"))
        #expect(reasons.contains("Started"))

        await running.stop(keepWorkloads: false)
        #expect(processes(containing: file).isEmpty)
    }

    @Test func probesDriveReadinessAndRestarts() async throws {
        let harness = try KubeletHarness()
        var ready = testPod(
            "web", command: ["python3", "-m", "http.server", "$(PORT)", "--bind", "127.0.0.1"],
            ports: [ContainerPort(name: "http", containerPort: 80)])
        var readiness = API.Probe()
        readiness.httpGet = API.HTTPGetAction(path: "/", port: .string("http"))
        readiness.periodSeconds = 1
        ready.spec.containers[0].readinessProbe = readiness
        try await harness.create(ready)

        var unlive = testPod("unlive", command: ["sleep", "600"])
        var liveness = API.Probe()
        liveness.exec = API.ExecAction(command: ["false"])
        liveness.periodSeconds = 1
        liveness.failureThreshold = 1
        unlive.spec.containers[0].livenessProbe = liveness
        try await harness.create(unlive)
        let running = harness.start()

        let web = await harness.waitForPod("web") { $0.condition("Ready")?.status == "True" }
        #expect(web?.condition("Ready")?.lastTransitionTime != nil)
        #expect(web?.mainStatus?.ready == true)

        let restarted = await harness.waitForPod("unlive") { ($0.mainStatus?.restartCount ?? 0) >= 1 }
        #expect(restarted?.mainStatus?.lastState?.terminated != nil)
        let reasons = await harness.events("unlive").map(\.reason)
        #expect(reasons.contains("Unhealthy"))
        #expect(reasons.contains("Killing"))
        await running.stop(keepWorkloads: false)
    }

    @Test func crashesBackOffAndConfigErrorsWaitForTheirConfig() async throws {
        let harness = try KubeletHarness()
        try await harness.create(testPod("crash", command: ["sh", "-c", "echo dying; exit 3"]))
        var late = EnvVar(name: "LATE")
        late.valueFrom = EnvVarSource()
        late.valueFrom?.configMapKeyRef = KeySelector(name: "late", key: "value")
        let file = harness.path("late.json")
        try await harness.create(testPod("needs-config", command: envDumper(file), env: [late]))
        try await harness.create(testPod("no-command", command: []))
        let running = harness.start()

        let crashing = await harness.waitForPod("crash") {
            $0.mainStatus?.state?.waitingReason == "CrashLoopBackOff" && ($0.mainStatus?.restartCount ?? 0) >= 1
        }
        #expect(crashing?.mainStatus?.lastState?.terminated?.exitCode == 3)
        #expect(crashing?.status.phase == "Running")
        #expect(await harness.events("crash").map(\.reason).contains("BackOff"))

        let waiting = await harness.waitForPod("needs-config") {
            $0.mainStatus?.state?.waitingReason == "CreateContainerConfigError"
        }
        #expect(waiting?.mainStatus?.state?.waitingMessage?.contains("configmap \"late\" not found") == true)
        #expect(waiting?.status.phase == "Pending")
        #expect(await harness.events("needs-config").map(\.reason).contains("Failed"))
        try await harness.create(
            ConfigMap(metadata: ObjectMeta(name: "late", namespace: "default"), data: ["value": "here"]))
        await harness.waitForPod("needs-config") { $0.status.phase == "Running" }
        let dump = await readJSON(file)
        #expect((dump?["env"] as? [String: String])?["LATE"] == "here")

        let noCommand = await harness.waitForPod("no-command") {
            $0.mainStatus?.state?.waitingReason == "CreateContainerConfigError"
        }
        #expect(noCommand?.mainStatus?.state?.waitingMessage?.contains("no command") == true)
        await running.stop(keepWorkloads: false)
    }

    /// Every start of a crash-looping container counts once in its `Started` event, even when the kubelet looks
    /// at a start only after that process has exited, or after the next one has started (the first restart
    /// comes without back-off).
    @Test func eachStartOfACrashingContainerCountsInItsStartedEvent() async throws {
        let harness = try KubeletHarness()
        let counter = harness.path("starts")
        let script =
            "n=0; [ -e \(counter) ] && read n < \(counter); n=$$((n + 1)); echo $$n > \(counter); [ $$n -ge 5 ]"
        try await harness.create(
            testPod("crasher", command: ["sh", "-c", script]) { $0.spec.restartPolicy = "OnFailure" })
        let running = harness.start(slowStateQueries: .milliseconds(100))
        await harness.waitForPod("crasher") { $0.status.phase == "Succeeded" }
        let counted = try? String(contentsOfFile: counter, encoding: .utf8)
        #expect(counted?.trimmingCharacters(in: .whitespacesAndNewlines) == "5")
        var starts = 0
        let allCounted = await eventually(timeout: .seconds(5)) {
            starts = await harness.events("crasher").filter { $0.reason == "Started" }.map(\.count).reduce(0, +)
            return starts == 5
        }
        #expect(allCounted, "Started events count \(starts) starts")
        await running.stop(keepWorkloads: false)
    }

    @Test func deletingAPodRunsTheHookThenKillsItsProcessTree() async throws {
        let harness = try KubeletHarness()
        let leader = harness.path("leader.pid")
        let child = harness.path("child.pid")
        await harness.hookCalls.watchPid(of: "tree", in: leader)
        try await harness.create(
            testPod("tree", command: ["sh", "-c", "sleep 600 & echo $! > \(child); echo $$$$ > \(leader); wait"]))
        let running = harness.start()
        await harness.waitForPod("tree") { $0.status.phase == "Running" }
        #expect(await eventually { readPid(leader) != nil && readPid(child) != nil })
        let leaderPid = try #require(readPid(leader))
        let childPid = try #require(readPid(child))
        #expect(!isNotRunning(leaderPid))
        #expect(!isNotRunning(childPid))

        try await harness.delete(pod: "tree")
        #expect(await eventually { isNotRunning(leaderPid) && isNotRunning(childPid) })
        #expect(await harness.hookCalls.pods == ["tree"])
        #expect(await harness.hookCalls.aliveAtHook["tree"] == true)
        #expect(
            await eventually {
                let states = (try? FileManager.default.contentsOfDirectory(atPath: harness.path("node/pods"))) ?? []
                return states.isEmpty && !FileManager.default.fileExists(atPath: harness.path("logs/default_tree"))
            })
        await running.stop(keepWorkloads: false)
    }

    /// A deleted pod, and every pod at `shutdown(keepWorkloads: false)`, gets its grace period: the process
    /// handles SIGTERM for a second, writes a marker and exits before any SIGKILL.
    @Test(arguments: [false, true])
    func terminationWaitsForTheGracePeriod(byShutdown: Bool) async throws {
        let harness = try KubeletHarness()
        let marker = harness.path("terminated")
        let script = "trap 'sleep 1; echo bye > \(marker); exit 0' TERM; echo ready; while true; do sleep 0.05; done"
        try await harness.create(
            testPod("graceful", command: ["sh", "-c", script]) { $0.spec.terminationGracePeriodSeconds = 20 })
        let running = harness.start()
        await harness.waitForPod("graceful") { $0.status.phase == "Running" }
        let log = harness.path("logs/default_graceful/main.log")
        #expect(await eventually { (try? String(contentsOfFile: log, encoding: .utf8))?.contains("ready") == true })
        let started = ContinuousClock.now
        if byShutdown {
            await running.stop(keepWorkloads: false)
        } else {
            try await harness.delete(pod: "graceful")
            #expect(await eventually(timeout: .seconds(10)) { FileManager.default.fileExists(atPath: marker) })
        }
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(started.duration(to: .now) >= .seconds(1))
        if !byShutdown { await running.stop(keepWorkloads: false) }
    }

    /// A process that calls `setsid` is still part of its pod: deleting the pod, or shutting the kubelet down,
    /// leaves nothing of it running.
    @Test(arguments: [false, true])
    func aProcessThatCallsSetsidDoesNotOutliveItsPod(byShutdown: Bool) async throws {
        let harness = try KubeletHarness()
        let token = UUID().uuidString
        let marker = "escapee-\(token)"  // only in the escapee's argv, not in its parent's
        defer { for pid in processes(containing: marker) { kill(pid, SIGKILL) } }
        let script = """
            import os, time
            if os.fork() == 0:
                os.setsid()
                os.execvp('python3', ['python3', '-c', 'import time; time.sleep(1000)', 'escapee' + '-\(token)'])
            time.sleep(600)
            """
        try await harness.create(testPod("escaper", command: ["python3", "-c", script]))
        let running = harness.start()
        await harness.waitForPod("escaper") { $0.status.phase == "Running" }
        #expect(await eventually { pythonRuns(containing: marker) })
        if byShutdown {
            await running.stop(keepWorkloads: false)
        } else {
            try await harness.delete(pod: "escaper")
        }
        #expect(await eventually(timeout: .seconds(10)) { processes(containing: marker).isEmpty })
        if !byShutdown { await running.stop(keepWorkloads: false) }
    }

    /// A root-run daemon's pod runs as an unprivileged user in a directory of its own: it cannot read a file of
    /// the data directory (0700, the file 0600 root), its working directory is not the daemon's, it can write
    /// there, and the directory goes with the pod.
    @Test func aPodCannotReadTheDataDirectoryAndHasItsOwnWorkingDirectory() async throws {
        try #require(geteuid() == 0, "the daemon switches pods to another user only when it runs as root")
        let harness = try KubeletHarness()
        #expect(chmod(harness.dataDirectory, 0o700) == 0)
        let secret = harness.path("secret.db")
        #expect(FileManager.default.createFile(atPath: secret, contents: Data("top secret".utf8)))
        #expect(chmod(secret, 0o600) == 0)
        let daemonDirectory = FileManager.default.currentDirectoryPath
        let script = """
            import os, sys, time
            try:
                open(sys.argv[1]).read()
                print('read: yes', flush=True)
            except OSError as error:
                print('read: no', error.errno, flush=True)
            print('uid:', os.getuid(), flush=True)
            if os.getcwd() != sys.argv[2]:
                open('own-file', 'w').write('mine')
                print('wrote:', os.path.exists(os.path.join(os.getcwd(), 'own-file')), flush=True)
            print('cwd:', os.getcwd(), flush=True)
            time.sleep(600)
            """
        try await harness.create(testPod("isolated", command: ["python3", "-c", script, secret, daemonDirectory]))
        let running = harness.start(daemonRuntime: true)
        let logFile = harness.path("logs/default_isolated/main.log")
        var log = ""
        let logged = await eventually {
            log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            return log.contains("cwd: ")
        }
        let status = await harness.pod("isolated")?.status
        #expect(logged, "pod status: \(String(describing: status))")
        #expect(log.contains("read: no 13"), "\(log)")
        #expect(!log.contains("uid: 0\n"), "\(log)")
        #expect(log.contains("wrote: True"), "\(log)")
        let cwd = log.split(separator: "\n").first { $0.hasPrefix("cwd: ") }.map { String($0.dropFirst(5)) } ?? ""
        #expect(cwd != daemonDirectory)
        #expect(!cwd.hasPrefix(harness.dataDirectory + "/"))
        try await harness.delete(pod: "isolated")
        #expect(await eventually { !FileManager.default.fileExists(atPath: cwd) })
        await running.stop(keepWorkloads: false)
    }

    @Test func aRestartedKubeletAdoptsRunningProcesses() async throws {
        let harness = try KubeletHarness()
        let marker = "adopt-\(UUID().uuidString)"
        var pod = testPod("keeper", command: ["sh", "-c", "sleep 600; true", marker])
        var readiness = API.Probe()
        readiness.exec = API.ExecAction(command: ["true"])
        readiness.periodSeconds = 1
        pod.spec.containers[0].readinessProbe = readiness
        try await harness.create(pod)

        let first = harness.start()
        let ready = try #require(await harness.waitForPod("keeper") { $0.condition("Ready")?.status == "True" })
        let readySince = ready.condition("Ready")?.lastTransitionTime
        #expect(await eventually { processes(containing: marker).count == 1 })
        let pid = try #require(processes(containing: marker).first)
        await first.stop(keepWorkloads: true)
        #expect(!isNotRunning(pid))

        let second = harness.start()
        // Give the new kubelet time to settle, then check it adopted rather than restarted.
        #expect(await eventually { await harness.events("keeper").filter { $0.reason == "Started" }.count == 1 })
        try await Task.sleep(for: .seconds(1))
        #expect(processes(containing: marker) == [pid])
        let adopted = try #require(await harness.pod("keeper"))
        #expect(adopted.mainStatus?.restartCount == 0)
        #expect(adopted.condition("Ready")?.status == "True")
        #expect(adopted.condition("Ready")?.lastTransitionTime == readySince)

        // Still supervised: an exit is noticed and the container restarted.
        kill(pid, SIGKILL)
        let restarted = await harness.waitForPod("keeper") {
            ($0.mainStatus?.restartCount ?? 0) >= 1 && $0.mainStatus?.state?.isRunning == true
        }
        #expect(restarted != nil)
        #expect(await eventually { processes(containing: marker).count == 1 && processes(containing: marker) != [pid] })

        try await harness.delete(pod: "keeper")
        #expect(await eventually { processes(containing: marker).isEmpty })
        await second.stop(keepWorkloads: false)
    }

    @Test func aProcessWhosePodWasDeletedWhileNoKubeletRanIsKilled() async throws {
        let harness = try KubeletHarness()
        let marker = "orphan-\(UUID().uuidString)"
        try await harness.create(testPod("orphan", command: ["sh", "-c", "sleep 600; true", marker]))
        let first = harness.start()
        await harness.waitForPod("orphan") { $0.status.phase == "Running" }
        #expect(await eventually { processes(containing: marker).count == 1 })
        await first.stop(keepWorkloads: true)
        #expect(processes(containing: marker).count == 1)

        try await harness.delete(pod: "orphan")
        let second = harness.start()
        #expect(await eventually { processes(containing: marker).isEmpty })
        #expect(
            await eventually {
                ((try? FileManager.default.contentsOfDirectory(atPath: harness.path("node/pods"))) ?? []).isEmpty
            })
        await second.stop(keepWorkloads: false)
    }

    @Test func anImageChangeRestartsTheContainer() async throws {
        let harness = try KubeletHarness()
        let marker = "image-\(UUID().uuidString)"
        try await harness.create(testPod("imaged", command: ["sh", "-c", "sleep 600; true", marker]))
        let running = harness.start()
        await harness.waitForPod("imaged") { $0.mainStatus?.state?.isRunning == true }
        #expect(await eventually { processes(containing: marker).count == 1 })
        let before = processes(containing: marker)

        var pod = try #require(await harness.pod("imaged"))
        pod.spec.containers[0].image = "example/app:2"
        _ = try await harness.store.update(pod.toValue())
        let restarted = await harness.waitForPod("imaged") {
            $0.mainStatus?.restartCount == 1 && $0.mainStatus?.state?.isRunning == true
                && $0.mainStatus?.image == "example/app:2"
        }
        #expect(restarted != nil)
        #expect(
            await eventually { processes(containing: marker).count == 1 && processes(containing: marker) != before })
        #expect(
            await harness.events("imaged").contains {
                $0.reason == "Killing" && $0.message.contains("definition changed")
            })
        await running.stop(keepWorkloads: false)
        #expect(processes(containing: marker).isEmpty)
    }

    @Test func logsAreFoundLikeKubectlFindsThem() async throws {
        let harness = try KubeletHarness()
        try await harness.create(testPod("talker", command: ["sh", "-c", "echo hello from talker; exec sleep 600"]))
        var pair = testPod("pair", command: ["sleep", "600"])
        var second = pair.spec.containers[0]
        second.name = "sidecar"
        pair.spec.containers.append(second)
        try await harness.create(pair)
        let running = harness.start()

        let reader = PodLogs(dataDirectory: harness.dataDirectory)
        let logs = try await reader.logs(store: harness.store, pod: "talker", namespace: "default", container: nil)
        #expect(await eventually { ((try? logs.read()) ?? "").contains("hello from talker") })
        #expect(logs.currentPath == harness.path("logs/default_talker/main.log"))

        await #expect {
            _ = try await reader.logs(store: harness.store, pod: "pair", namespace: "default", container: nil)
        } throws: { error in
            "\(error)" == "error: a container name must be specified for pod pair, choose one of: [main sidecar]"
        }
        await #expect {
            _ = try await reader.logs(store: harness.store, pod: "ghost", namespace: "default", container: nil)
        } throws: { error in
            "\(error)" == "Error from server (NotFound): pods \"ghost\" not found"
        }
        let sidecar = try await reader.logs(
            store: harness.store, pod: "pair", namespace: "default", container: "sidecar")
        #expect(sidecar.container == "sidecar")
        await running.stop(keepWorkloads: false)
    }
}
