import Testing

@testable import Orchestrator

@Suite("RestartPolicy")
struct RestartPolicyTests {
    @Test(arguments: [
        (RestartPolicy.always, ProcessExitStatus.exited(code: 0), true),
        (.always, .exited(code: 1), true),
        (.onFailure, .exited(code: 0), false),
        (.onFailure, .exited(code: 2), true),
        (.onFailure, .signaled(signal: 9), true),
        (.onFailure, .unknown, true),
        (.never, .exited(code: 1), false),
        (.never, .exited(code: 0), false),
    ])
    func decidesRestarts(policy: RestartPolicy, status: ProcessExitStatus, restarts: Bool) {
        #expect(policy.shouldRestart(after: status) == restarts)
    }

    @Test func usesKubernetesSpellings() {
        #expect(RestartPolicy(rawValue: "OnFailure") == .onFailure)
        #expect(RestartPolicy.always.rawValue == "Always")
    }
}
