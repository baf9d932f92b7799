import Foundation
import Glibc
import TestSupport
import Testing

@testable import Orchestrator

@Suite("ProcessRuntime")
struct ProcessRuntimeTests {
    @Test func startsAndStopsAProcessAndReapsIt() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let spec = shellSpec("echo hello; exec sleep 300")
        let record = try await runtime.start(spec)
        #expect(record.pid > 0)
        #expect(record.processGroup == record.pid)
        #expect(record.startTime == ProcStat.read(record.pid)?.startTime)
        #expect(ProcStat.read(record.pid)?.processGroup == record.pid)
        #expect(await awaitLog(runtime, spec.id, contains: "hello"))
        guard case .running = await runtime.state(of: spec.id) else {
            Issue.record("expected running")
            return
        }

        let exit = try await runtime.stop(spec.id, gracePeriod: .seconds(10))
        #expect(exit.status == .signaled(signal: SIGTERM))
        #expect(exit.status.exitCode == 143)
        // Reaped: no zombie left behind.
        #expect(await eventually { ProcStat.read(record.pid) == nil })
        #expect(await runtime.runningRecords().isEmpty)
    }

    @Test func aContainerWithoutCommandFailsWithAClearReason() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let spec = ContainerSpec(id: ContainerID(namespace: "test", pod: "p", container: "c"), command: [])
        do {
            _ = try await runtime.start(spec)
            Issue.record("start should fail")
        } catch {
            #expect(error.code == .invalidSpec)
            #expect(error.message.contains("no command"))
        }
    }

    @Test func aMissingExecutableIsReported() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let spec = ContainerSpec(
            id: ContainerID(namespace: "test", pod: "p", container: "c"), command: ["no-such-program-gitopsd"])
        do {
            _ = try await runtime.start(spec)
            Issue.record("start should fail")
        } catch {
            #expect(error.code == .executableNotFound)
        }
    }

    @Test func startingARunningContainerTwiceIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let spec = shellSpec("exec sleep 300")
        _ = try await runtime.start(spec)
        do {
            _ = try await runtime.start(spec)
            Issue.record("second start should fail")
        } catch {
            #expect(error.code == .alreadyRunning)
        }
        _ = try await runtime.stop(spec.id, gracePeriod: .zero)
    }

    @Test func theProcessSeesItsEnvironmentPortsAndWorkingDirectory() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let allocator = PortAllocator()
        let id = ContainerID(namespace: "shop", pod: "web-1", container: "app")
        let ports = try await allocator.allocate(
            namespace: "shop", pod: "web-1",
            ports: [
                ContainerPortRequest(container: "app", name: "http", containerPort: 8080),
                ContainerPortRequest(container: "app", name: "http-admin", containerPort: 9090),
            ])
        let environment = RuntimeEnvironment.merge(
            [EnvironmentVariable(name: "GREETING", value: "hi there"), EnvironmentVariable(name: "PORT", value: "1")],
            RuntimeEnvironment.variables(for: id, ports: ports))
        let script = """
            echo "GREETING=$GREETING"; echo "PORT=$PORT"; echo "PORT_HTTP=$PORT_HTTP"
            echo "PORT_HTTP_ADMIN=$PORT_HTTP_ADMIN"; echo "POD=$POD_NAMESPACE/$POD_NAME@$POD_IP"; echo "PWD=$(pwd)"
            echo "HOME=${HOME:-unset}"
            """
        let spec = ContainerSpec(
            id: id, command: ["sh", "-c", script], environment: environment, workingDirectory: directory.path)
        _ = try await runtime.start(spec)
        let exit = await awaitExit(runtime, id)
        #expect(exit?.status == .exited(code: 0))
        let log = try runtime.logs(for: id).read()
        #expect(log.contains("GREETING=hi there\n"))
        #expect(log.contains("PORT=\(ports[0].hostPort)\n"))
        #expect(log.contains("PORT_HTTP=\(ports[0].hostPort)\n"))
        #expect(log.contains("PORT_HTTP_ADMIN=\(ports[1].hostPort)\n"))
        #expect(log.contains("POD=shop/web-1@127.0.0.1\n"))
        #expect(log.contains("PWD=\(directory.path)\n"))
        #expect(log.contains("HOME=unset\n"))  // only the given environment (plus PATH) reaches the process
    }

    @Test(arguments: [
        ("exit 0", ProcessExitStatus.exited(code: 0)),
        ("exit 3", ProcessExitStatus.exited(code: 3)),
        ("kill -KILL $$", ProcessExitStatus.signaled(signal: SIGKILL)),
    ])
    func exitStatusesAreReported(script: String, expected: ProcessExitStatus) async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let events = await runtime.events()
        let spec = shellSpec(script)
        let record = try await runtime.start(spec)
        var seen: [ContainerEvent] = []
        for await event in events {
            seen.append(event)
            if case .exited = event { break }
        }
        #expect(seen.count == 2)
        #expect(seen.first == .started(record))
        guard case .exited(let id, let exit) = seen.last else {
            Issue.record("no exit event")
            return
        }
        #expect(id == spec.id)
        #expect(exit.status == expected)
        #expect(exit.finishedAt >= exit.startedAt)
        // Stopping an exited container returns the same exit.
        #expect(try await runtime.stop(spec.id, gracePeriod: nil) == exit)
        #expect(await eventually { ProcStat.read(record.pid) == nil })
    }

    @Test func aProcessIgnoringSIGTERMIsKilledAfterTheGracePeriod() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let spec = shellSpec("trap '' TERM; echo ready; while true; do sleep 0.05; done")
        let record = try await runtime.start(spec)
        #expect(await awaitLog(runtime, spec.id, contains: "ready"))
        let exit = try await runtime.stop(spec.id, gracePeriod: .milliseconds(300))
        #expect(exit.status == .signaled(signal: SIGKILL))
        #expect(exit.status.exitCode == 137)
        #expect(await eventually { ProcStat.read(record.pid) == nil })
    }

    /// A stop made from a task that is already cancelled (as a pod deletion's is) still gives the process its
    /// grace period: here it handles SIGTERM for a second, writes a marker and exits 0 before the kill would come.
    @Test func aStopFromACancelledTaskStillWaitsForTheGracePeriod() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let marker = directory.path + "/terminated"
        let spec = shellSpec(
            "trap 'sleep 1; echo bye > \(marker); exit 0' TERM; echo ready; while true; do sleep 0.05; done")
        let record = try await runtime.start(spec)
        #expect(await awaitLog(runtime, spec.id, contains: "ready"))
        let stopping = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await runtime.stop(spec.id, gracePeriod: .seconds(20))
        }
        let exit = try await stopping.value
        #expect(exit.status == .exited(code: 0))
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(await eventually { ProcStat.read(record.pid) == nil })
    }

    /// Cancellation does not stretch the grace period either: a process ignoring SIGTERM is killed after it.
    @Test func aStopFromACancelledTaskKillsAfterTheGracePeriod() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let spec = shellSpec("trap '' TERM; echo ready; while true; do sleep 0.05; done")
        _ = try await runtime.start(spec)
        #expect(await awaitLog(runtime, spec.id, contains: "ready"))
        let started = ContinuousClock.now
        let stopping = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await runtime.stop(spec.id, gracePeriod: .milliseconds(500))
        }
        let exit = try await stopping.value
        #expect(exit.status == .signaled(signal: SIGKILL))
        #expect(started.duration(to: .now) >= .milliseconds(500))
    }

    /// A pod running as another user does not get gitopsd's PATH, which may name directories only gitopsd's
    /// user can enter (root's `~/.pyenv/shims`), but the standard one an image would set; its spec's PATH wins.
    @Test(arguments: [nil, "/opt/app/bin:/usr/bin:/bin"])
    func aPodOfAnotherUserGetsTheStandardPath(specPath: String?) async throws {
        try #require(geteuid() == 0, "switching users needs root")
        let directory = try TemporaryDirectory()
        let runtime = ProcessRuntime(
            configuration: .init(
                logsDirectory: directory.path + "/logs", podUser: .unprivileged,
                workingDirectories: directory.path + "/pods"))
        let spec = shellSpec(
            "echo \"path=$PATH uid=$(id -u)\"; exec sleep 300",
            environment: specPath.map { [EnvironmentVariable(name: "PATH", value: $0)] } ?? [])
        _ = try await runtime.start(spec)
        let expected = specPath ?? ProcessRuntime.standardPath
        #expect(await awaitLog(runtime, spec.id, contains: "path=\(expected) uid=\(ProcessIdentity.unprivileged.uid)"))
        _ = try await runtime.stop(spec.id, gracePeriod: .zero)
    }

    @Test func stoppingKillsTheWholeProcessGroup() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let pidFile = directory.path + "/grandchild.pid"
        let spec = shellSpec("sleep 300 & echo $! > \(pidFile); echo started; wait")
        _ = try await runtime.start(spec)
        #expect(await awaitLog(runtime, spec.id, contains: "started"))
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let grandchild = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!isNotRunning(grandchild))
        _ = try await runtime.stop(spec.id, gracePeriod: .seconds(10))
        #expect(await eventually { isNotRunning(grandchild) })
    }

    /// A process that leaves the container's session and group (`setsid`) still dies with the container, on a
    /// stop and when the container's main process exits on its own.
    @Test(arguments: [true, false])
    func aProcessThatCallsSetsidDiesWithItsContainer(stopped: Bool) async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let token = UUID().uuidString
        let marker = "escapee-\(token)"  // only in the escapee's argv, not in the shell's
        defer { for pid in processes(containing: marker) { kill(pid, SIGKILL) } }
        // The escapee says when it runs (a file), so the main process never exits before it is there to catch.
        let ready = directory.appending("escapee-ready")
        // Without a stop, the main process exits on its own once the test has seen the escapee run.
        let go = directory.appending("main-may-exit")
        let spec = shellSpec(
            "m=escapee; setsid python3 -c 'import time; open(\"\(ready)\", \"w\"); time.sleep(1000)' "
                + "\"${m}-\(token)\" & echo started; while [ ! -e \(ready) ]; do sleep 0.05; done; "
                + (stopped ? "while true; do sleep 0.05; done" : "while [ ! -e \(go) ]; do sleep 0.05; done"))
        let record = try await runtime.start(spec)
        // This machine has a writable cgroup v1 hierarchy (tests run as root); elsewhere the runtime falls back.
        let cgroup = try #require(record.cgroup)
        #expect(FileManager.default.fileExists(atPath: cgroup))
        #expect(await awaitLog(runtime, spec.id, contains: "started"))
        #expect(await eventually { pythonRuns(containing: marker) })
        if stopped {
            _ = try await runtime.stop(spec.id, gracePeriod: .seconds(5))
        } else {
            FileManager.default.createFile(atPath: go, contents: nil)
            _ = await awaitExit(runtime, spec.id)
        }
        #expect(await eventually(timeout: .seconds(5)) { processes(containing: marker).isEmpty })
        #expect(await eventually(timeout: .seconds(5)) { !FileManager.default.fileExists(atPath: cgroup) })
    }

    @Test func helpersLeftBehindDieWithTheirContainer() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let pidFile = directory.path + "/helper.pid"
        let spec = shellSpec("sleep 300 & echo $! > \(pidFile); exit 1")
        _ = try await runtime.start(spec)
        let exit = await awaitExit(runtime, spec.id)
        #expect(exit?.status == .exited(code: 1))
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let helper = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { isNotRunning(helper) })
    }

    @Test func aRestartKeepsThePreviousRunsLog() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let first = shellSpec("echo first run")
        _ = try await runtime.start(first)
        _ = await awaitExit(runtime, first.id)
        let second = shellSpec("echo second run; exec sleep 300")
        _ = try await runtime.start(second)
        #expect(await awaitLog(runtime, second.id, contains: "second run"))
        let logs = runtime.logs(for: second.id)
        #expect(try logs.previous() == "first run\n")
        #expect(try logs.read() == "second run\n")
        try await runtime.remove(second.id, gracePeriod: .zero)
        #expect(await runtime.state(of: second.id) == nil)
    }

    @Test func adoptsAProcessStartedByAnotherRuntimeAndStopsIt() async throws {
        let directory = try TemporaryDirectory()
        let original = makeRuntime(directory)
        let spec = shellSpec("trap 'echo terminating; exit 0' TERM; while true; do echo tick; sleep 0.05; done")
        let record = try await original.start(spec)
        #expect(await awaitLog(original, spec.id, contains: "tick"))

        // A persisted record survives a round trip through JSON, as it would through the store.
        let stored = try JSONEncoder().encode(record)
        let restored = try JSONDecoder().decode(ProcessRecord.self, from: stored)

        let successor = makeRuntime(directory)
        let events = await successor.events()
        try await successor.adopt(restored)
        guard case .running(let adopted) = await successor.state(of: spec.id) else {
            Issue.record("adopted container should be running")
            return
        }
        #expect(adopted == record)
        #expect(await successor.runningRecords() == [record])

        // Logs keep flowing: the process writes straight into its file.
        let logs = successor.logs(for: spec.id)
        let before = try logs.read().count
        #expect(await eventually { ((try? logs.read().count) ?? 0) > before })

        let exit = try await successor.stop(spec.id, gracePeriod: .seconds(10))
        #expect(exit.status == .unknown)
        #expect(TerminatedState(exit).reason == "Error")
        var sawExit = false
        for await event in events {
            if case .exited(let id, _) = event, id == spec.id {
                sawExit = true
                break
            }
        }
        #expect(sawExit)
        #expect(await awaitLog(successor, spec.id, contains: "terminating"))
        // The first runtime is still the parent; it notices and reaps.
        let originalExit = await awaitExit(original, spec.id)
        #expect(originalExit?.status == .exited(code: 0))
        #expect(await eventually { ProcStat.read(record.pid) == nil })
    }

    @Test func refusesToAdoptAReusedPidOrAnExitedProcess() async throws {
        let directory = try TemporaryDirectory()
        let original = makeRuntime(directory)
        let spec = shellSpec("exec sleep 300")
        let record = try await original.start(spec)
        let successor = makeRuntime(directory)

        var reused = record
        reused.startTime += 1
        do {
            try await successor.adopt(reused)
            Issue.record("a different start time must not be adopted")
        } catch {
            #expect(error.code == .processMismatch)
        }
        #expect(await successor.state(of: spec.id) == nil)

        _ = try await original.stop(spec.id, gracePeriod: .zero)
        #expect(await eventually { ProcStat.read(record.pid) == nil })
        do {
            try await successor.adopt(record)
            Issue.record("an exited process must not be adopted")
        } catch {
            #expect(error.code == .processGone)
        }
    }

    @Test func rotatesLogsPastTheSizeLimitByCopyAndTruncate() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory, logSizeLimit: 1000)
        let spec = shellSpec(
            "i=0; while [ $i -lt 60 ]; do echo \"line $i of the first chunk\"; i=$((i+1)); done; "
                + "echo filled; read x < /dev/null; exec sleep 300")
        _ = try await runtime.start(spec)
        #expect(await awaitLog(runtime, spec.id, contains: "filled"))
        #expect(await runtime.rotateLogs() == [spec.id])
        let logs = runtime.logs(for: spec.id)
        let rotated = try String(contentsOfFile: logs.rotatedPath, encoding: .utf8)
        #expect(rotated.contains("line 0 of the first chunk"))
        #expect(rotated.contains("filled"))
        #expect(try logs.read().isEmpty)
        #expect(await runtime.rotateLogs().isEmpty)
        _ = try await runtime.stop(spec.id, gracePeriod: .zero)
    }

    @Test func theRunLoopRotatesLogsWhileTheProcessKeepsWriting() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory, logSizeLimit: 2000)
        let spec = shellSpec("i=0; while true; do echo \"line $i\"; i=$((i+1)); sleep 0.005; done")
        _ = try await runtime.start(spec)
        let loop = Task { await runtime.run() }
        let logs = runtime.logs(for: spec.id)
        #expect(await eventually { FileManager.default.fileExists(atPath: logs.rotatedPath) })
        // The writer continues at the start of the truncated file (O_APPEND), not past a hole.
        #expect(await eventually { ((try? logs.read()) ?? "").hasPrefix("line ") })
        loop.cancel()
        await loop.value
        _ = try await runtime.stop(spec.id, gracePeriod: .zero)
    }
}
