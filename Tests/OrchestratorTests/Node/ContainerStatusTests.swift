import Foundation
import Testing

@testable import Orchestrator

@Suite("ContainerStatus")
struct ContainerStatusTests {
    @Test func tracksStateLastStateAndRestartCount() {
        var status = ContainerStatus(name: "app")
        #expect(status.state == .waiting(reason: "ContainerCreating", message: nil))
        let start = Date(timeIntervalSince1970: 1000)
        status.recordStart(at: start)
        #expect(status.state == .running(startedAt: start))
        #expect(status.restartCount == 0)

        let end = Date(timeIntervalSince1970: 1005)
        status.recordExit(ContainerExit(status: .exited(code: 2), startedAt: start, finishedAt: end))
        let terminated = TerminatedState(exitCode: 2, reason: "Error", startedAt: start, finishedAt: end)
        #expect(status.state == .terminated(terminated))

        status.recordWaiting(reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container")
        #expect(status.lastState == .terminated(terminated))
        status.recordStart(at: end)
        #expect(status.restartCount == 1)
        #expect(status.lastState == .terminated(terminated))
    }

    @Test(arguments: [
        (ProcessExitStatus.exited(code: 0), Int32(0), Int32?.none, "Completed"),
        (.exited(code: 1), 1, nil, "Error"),
        (.signaled(signal: 15), 143, 15, "Error"),
        (.signaled(signal: 9), 137, 9, "Error"),
        (.unknown, 255, nil, "Error"),
    ])
    func terminatedStateFollowsKubernetes(
        status: ProcessExitStatus, exitCode: Int32, signal: Int32?, reason: String
    ) {
        let state = TerminatedState(ContainerExit(status: status, startedAt: Date(), finishedAt: Date()))
        #expect(state.exitCode == exitCode)
        #expect(state.signal == signal)
        #expect(state.reason == reason)
    }
}
