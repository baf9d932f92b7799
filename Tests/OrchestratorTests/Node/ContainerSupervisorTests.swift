import Foundation
import TestSupport
import Testing

@testable import Orchestrator

@Suite("ContainerSupervisor")
struct ContainerSupervisorTests {
    private let shortBackOff = CrashLoopBackOff<ContinuousClock.Instant>.Configuration(
        initial: .milliseconds(50), maximum: .milliseconds(200))

    private func fastProbe(_ script: String, failureThreshold: Int = 1) -> Probe {
        Probe(
            .exec(ExecAction(command: ["sh", "-c", script])),
            configuration: .init(period: .milliseconds(50), timeout: .seconds(5), failureThreshold: failureThreshold))
    }

    @Test func aCrashingContainerIsRestartedWithBackOff() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        // Long enough a back-off that the waiting state is seen even on a loaded machine.
        let backOff = CrashLoopBackOff<ContinuousClock.Instant>.Configuration(
            initial: .milliseconds(300), maximum: .milliseconds(600))
        let supervisor = ContainerSupervisor(
            spec: shellSpec("echo crashing; exit 2"), runtime: runtime,
            configuration: .init(restartPolicy: .always, backOff: backOff))
        let updates = await supervisor.statusUpdates()
        let task = Task { await supervisor.run() }
        var sawBackOff = false
        for await status in updates {
            if case .waiting(reason: "CrashLoopBackOff", _) = status.state { sawBackOff = true }
            if status.restartCount >= 3 { break }
        }
        task.cancel()
        await task.value
        let status = await supervisor.status
        #expect(sawBackOff)
        #expect(status.restartCount >= 3)
        guard case .terminated(let last)? = status.lastState else {
            Issue.record("expected a terminated last state, got \(String(describing: status.lastState))")
            return
        }
        #expect(last.exitCode == 2)
        #expect(last.reason == "Error")
    }

    @Test func withRestartPolicyNeverACompletedContainerStaysTerminated() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let supervisor = ContainerSupervisor(
            spec: shellSpec("echo done"), runtime: runtime, configuration: .init(restartPolicy: .never))
        await supervisor.run()  // returns: nothing to restart
        let status = await supervisor.status
        guard case .terminated(let terminated) = status.state else {
            Issue.record("expected terminated, got \(status.state)")
            return
        }
        #expect(terminated.reason == "Completed")
        #expect(status.restartCount == 0)
    }

    @Test func readinessAndLivenessProbesDriveReadyAndRestarts() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory, grace: .seconds(5))
        let spec = shellSpec("exec sleep 300", workingDirectory: directory.path)
        let supervisor = ContainerSupervisor(
            spec: spec, runtime: runtime,
            configuration: .init(
                restartPolicy: .always, backOff: shortBackOff,
                livenessProbe: fastProbe("test ! -f dead", failureThreshold: 2),
                readinessProbe: fastProbe("test -f ready")))
        let task = Task { await supervisor.run() }
        #expect(
            await eventually(timeout: .seconds(60)) {
                let status = await supervisor.status
                return status.restartCount == 0 && isRunning(status)
            })
        #expect(await supervisor.status.ready == false)

        _ = FileManager.default.createFile(atPath: directory.path + "/ready", contents: nil)
        #expect(await eventually(timeout: .seconds(60)) { await supervisor.status.ready })

        _ = FileManager.default.createFile(atPath: directory.path + "/dead", contents: nil)
        #expect(await eventually(timeout: .seconds(60)) { await supervisor.status.restartCount >= 1 })
        try FileManager.default.removeItem(atPath: directory.path + "/dead")
        #expect(await eventually(timeout: .seconds(60)) { await supervisor.status.ready })

        task.cancel()
        await task.value
        #expect(
            await eventually(timeout: .seconds(60)) {
                if case .exited = await runtime.state(of: spec.id) { return true }
                return false
            })
    }

    @Test func detachedSupervisionLeavesTheProcessForAnotherSupervisorToAdopt() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let spec = shellSpec("sleep 600")
        let configuration = ContainerSupervisor.Configuration(readinessProbe: fastProbe("true"))
        let first = ContainerSupervisor(spec: spec, runtime: runtime, configuration: configuration)
        let task = Task { await first.run() }
        #expect(await eventually(timeout: .seconds(60)) { await first.status.ready })
        guard case .running(let record)? = await runtime.state(of: spec.id) else {
            Issue.record("expected a running container")
            return
        }
        await first.detach()
        task.cancel()
        await task.value
        #expect(!isNotRunning(record.pid))

        // A new runtime and supervisor, as after a gitopsd restart.
        let second = makeRuntime(directory)
        try await second.adopt(record)
        let adopter = ContainerSupervisor(
            spec: spec, runtime: second, configuration: configuration, initialStatus: await first.status)
        let adopted = Task { await adopter.run(adopting: record) }
        #expect(await eventually(timeout: .seconds(60)) { await adopter.status.ready })
        #expect(await adopter.status.restartCount == 0)
        adopted.cancel()
        await adopted.value  // returns once the process is gone
        #expect(isNotRunning(record.pid))
    }

    private func isRunning(_ status: ContainerStatus) -> Bool {
        if case .running = status.state { return true }
        return false
    }
}
