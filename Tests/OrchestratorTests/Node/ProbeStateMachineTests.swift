import Testing

@testable import Orchestrator

private func outcomes(_ pattern: String) -> [ProbeOutcome] {
    pattern.map { $0 == "s" ? .success : $0 == "f" ? .failure("failed") : .unknown("error") }
}

@Suite("ProbeStateMachine")
struct ProbeStateMachineTests {
    @Test func initialResultsFollowKubernetes() {
        let configuration = Probe.Configuration()
        #expect(ProbeStateMachine(kind: .liveness, configuration: configuration).result == .success)
        #expect(ProbeStateMachine(kind: .readiness, configuration: configuration).result == .failure)
        #expect(ProbeStateMachine(kind: .startup, configuration: configuration).result == nil)
    }

    @Test func kubernetesDefaults() {
        let configuration = Probe.Configuration()
        #expect(configuration.initialDelay == .zero)
        #expect(configuration.period == .seconds(10))
        #expect(configuration.timeout == .seconds(1))
        #expect(configuration.successThreshold == 1)
        #expect(configuration.failureThreshold == 3)
    }

    /// Outcomes as letters (s success, f failure, u unknown) and the result after each ("-" unchanged).
    @Test(arguments: [
        (ProbeKind.liveness, 1, 3, "fff", "--F"),
        (.liveness, 1, 3, "ffsfff", "-----F"),
        (.liveness, 1, 3, "ffuf", "---F"),
        (.liveness, 1, 1, "fs", "FS"),
        (.readiness, 1, 3, "s", "S"),
        (.readiness, 1, 3, "sffsf", "S----"),
        (.readiness, 1, 3, "sfff", "S--F"),
        (.readiness, 2, 3, "sfss", "---S"),
        (.readiness, 1, 3, "fff", "---"),
        (.startup, 1, 3, "ffs", "--S"),
        (.startup, 1, 2, "ff", "-F"),
        (.startup, 1, 2, "uuu", "---"),
    ])
    func thresholdsAndConsecutiveCounts(
        kind: ProbeKind, successThreshold: Int, failureThreshold: Int, inputs: String, expected: String
    ) {
        var machine = ProbeStateMachine(
            kind: kind,
            configuration: .init(successThreshold: successThreshold, failureThreshold: failureThreshold))
        let changes = outcomes(inputs).map { outcome -> Character in
            switch machine.record(outcome) {
            case .success?: "S"
            case .failure?: "F"
            case nil: "-"
            }
        }
        #expect(String(changes) == expected)
    }
}

@Suite("ContainerProbeStateMachine")
struct ContainerProbeStateMachineTests {
    private let fast = Probe.Configuration(initialDelay: .seconds(5), period: .seconds(10), failureThreshold: 2)

    @Test func withoutProbesAContainerIsStartedAndReady() {
        let machine = ContainerProbeStateMachine()
        #expect(machine.started)
        #expect(machine.ready)
        #expect(machine.nextDeadline == nil)
    }

    @Test func readinessDecidesReadyAndNeverKills() {
        var machine = ContainerProbeStateMachine(readiness: fast)
        #expect(!machine.ready)
        #expect(machine.dueChecks(at: .seconds(4)).isEmpty)
        #expect(machine.nextDeadline == .seconds(5))
        #expect(machine.dueChecks(at: .seconds(5)) == [.readiness])
        #expect(machine.record(.success, for: .readiness, at: .seconds(5)) == [.setReady(true)])
        #expect(machine.nextDeadline == .seconds(15))
        #expect(machine.dueChecks(at: .seconds(15)) == [.readiness])
        #expect(machine.record(.failure("503"), for: .readiness, at: .seconds(15)).isEmpty)
        #expect(machine.dueChecks(at: .seconds(25)) == [.readiness])
        #expect(machine.record(.failure("503"), for: .readiness, at: .seconds(25)) == [.setReady(false)])
        #expect(!machine.killed)
    }

    @Test func livenessFailureKillsTheContainer() {
        var machine = ContainerProbeStateMachine(liveness: fast)
        #expect(machine.ready)
        #expect(machine.dueChecks(at: .seconds(5)) == [.liveness])
        #expect(machine.record(.failure("refused"), for: .liveness, at: .seconds(5)).isEmpty)
        #expect(machine.dueChecks(at: .seconds(15)) == [.liveness])
        let actions = machine.record(.failure("refused"), for: .liveness, at: .seconds(15))
        #expect(actions == [.kill(.liveness, message: "Liveness probe failed: refused"), .setReady(false)])
        #expect(machine.killed)
        #expect(machine.dueChecks(at: .seconds(100)).isEmpty)
        #expect(machine.nextDeadline == nil)
    }

    @Test func startupGatesLivenessAndReadiness() {
        let startup = Probe.Configuration(period: .seconds(1), failureThreshold: 30)
        var machine = ContainerProbeStateMachine(startup: startup, liveness: fast, readiness: fast)
        #expect(!machine.started)
        #expect(!machine.ready)
        #expect(machine.dueChecks(at: .zero) == [.startup])
        #expect(machine.record(.failure("refused"), for: .startup, at: .zero).isEmpty)
        // Liveness and readiness would be due at 5 s, but only startup runs until it succeeds.
        #expect(machine.dueChecks(at: .seconds(6)) == [.startup])
        #expect(machine.record(.success, for: .startup, at: .seconds(6)) == [.markStarted])
        #expect(machine.started)
        #expect(machine.dueChecks(at: .seconds(7)).sorted { $0.rawValue < $1.rawValue } == [.liveness, .readiness])
        #expect(machine.record(.success, for: .readiness, at: .seconds(7)) == [.setReady(true)])
        #expect(machine.dueChecks(at: .seconds(8)).isEmpty)  // startup never runs again
    }

    @Test func startupFailureThresholdKills() {
        var machine = ContainerProbeStateMachine(
            startup: Probe.Configuration(period: .seconds(1), failureThreshold: 2), liveness: fast)
        _ = machine.dueChecks(at: .zero)
        #expect(machine.record(.failure("refused"), for: .startup, at: .zero).isEmpty)
        _ = machine.dueChecks(at: .seconds(1))
        #expect(
            machine.record(.failure("refused"), for: .startup, at: .seconds(1))
                == [.kill(.startup, message: "Startup probe failed: refused")])
        #expect(!machine.started)
    }

    @Test func aCheckStillRunningSkipsItsTurn() {
        var machine = ContainerProbeStateMachine(liveness: Probe.Configuration(period: .seconds(1)))
        #expect(machine.dueChecks(at: .zero) == [.liveness])
        #expect(machine.dueChecks(at: .seconds(1)).isEmpty)  // the first check has not reported yet
        _ = machine.record(.success, for: .liveness, at: .milliseconds(1500))
        #expect(machine.dueChecks(at: .seconds(2)) == [.liveness])
    }
}
