import Testing

@testable import Orchestrator

/// A plain instant for table tests: seconds since an arbitrary origin.
struct TestInstant: InstantProtocol, Sendable {
    var offset: Duration

    static func seconds(_ value: Int) -> TestInstant { TestInstant(offset: .seconds(value)) }
    func advanced(by duration: Duration) -> TestInstant { TestInstant(offset: offset + duration) }
    func duration(to other: TestInstant) -> Duration { other.offset - offset }
    static func < (lhs: TestInstant, rhs: TestInstant) -> Bool { lhs.offset < rhs.offset }
}

@Suite("CrashLoopBackOff")
struct CrashLoopBackOffTests {
    @Test func aContainerThatKeepsCrashingWaitsTenSecondsDoublingToFiveMinutes() {
        var backOff = CrashLoopBackOff<TestInstant>()
        var now = TestInstant.seconds(0)
        var delays: [Duration] = []
        for _ in 0..<9 {
            let delay = backOff.restartDelay(exitedAt: now)
            delays.append(delay)
            now = now.advanced(by: delay + .seconds(1))  // restart, run one second, crash again
        }
        #expect(delays == [0, 10, 20, 40, 80, 160, 300, 300, 300].map { Duration.seconds($0) })
    }

    @Test(arguments: [
        // (run time before the next crash in seconds, expected delay of that crash)
        (5, 20), (599, 20), (601, 0),
    ])
    func runningLongerThanTenMinutesForgetsTheBackOff(runSeconds: Int, expected: Int) {
        var backOff = CrashLoopBackOff<TestInstant>()
        #expect(backOff.restartDelay(exitedAt: .seconds(0)) == .zero)  // restarted at 0
        #expect(backOff.restartDelay(exitedAt: .seconds(1)) == .seconds(10))  // restarted at 11
        let delay = backOff.restartDelay(exitedAt: .seconds(11 + runSeconds))
        #expect(delay == .seconds(expected))
        if expected == 0 {
            #expect(backOff.period == .seconds(10))
        }
    }

    @Test func shortenedConfigurationForTests() {
        var backOff = CrashLoopBackOff<TestInstant>(
            configuration: .init(initial: .milliseconds(10), maximum: .milliseconds(40)))
        #expect(backOff.configuration.resetAfter == .milliseconds(80))
        let delays = (0..<5).map { step in backOff.restartDelay(exitedAt: .seconds(step)) }
        // Each crash comes a second after the last: longer than resetAfter, so every crash starts over.
        #expect(delays == Array(repeating: .zero, count: 5))
        backOff.reset()
        #expect(backOff.period == nil)
    }

    @Test func kubernetesDefaults() {
        let configuration = CrashLoopBackOff<ContinuousClock.Instant>.Configuration()
        #expect(configuration.initial == .seconds(10))
        #expect(configuration.maximum == .seconds(300))
        #expect(configuration.resetAfter == .seconds(600))
    }
}
