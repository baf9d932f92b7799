import API
import Foundation
import Testing

@testable import Orchestrator

@Suite struct PodDeletionOrderTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func pod(
        _ name: String, phase: String? = "Running", ready: Bool = true, readyFor: TimeInterval = 3600,
        age: TimeInterval = 7200, restarts: Int = 0, cost: Int? = nil, node: String? = "node"
    ) -> Pod {
        var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default"))
        pod.metadata.uid = "uid-\(name)"
        pod.metadata.creationTimestamp = Timestamp.format(now.addingTimeInterval(-age))
        if let cost { pod.metadata.annotations["controller.kubernetes.io/pod-deletion-cost"] = String(cost) }
        pod.spec.nodeName = node
        pod.status.phase = phase
        var condition = Condition(type: "Ready", status: ready ? "True" : "False")
        condition.lastTransitionTime = Timestamp.format(now.addingTimeInterval(-readyFor))
        pod.status.conditions = [condition]
        var container = ContainerStatus(name: "main")
        container.restartCount = restarts
        pod.status.containerStatuses = [container]
        return pod
    }

    static func order(_ pods: [Pod]) -> [String] {
        PodDeletionOrder.sorted(pods, now: now).map(\.metadata.name)
    }

    @Test func rulesInKubernetesOrder() {
        // Unscheduled before scheduled, then Pending < Unknown < Running.
        #expect(Self.order([Self.pod("run"), Self.pod("unscheduled", node: nil)]) == ["unscheduled", "run"])
        #expect(
            Self.order([Self.pod("run"), Self.pod("unknown", phase: "Unknown"), Self.pod("pending", phase: "Pending")])
                == ["pending", "unknown", "run"])
        // Not ready before ready; then lower deletion cost.
        #expect(Self.order([Self.pod("ready"), Self.pod("unready", ready: false)]) == ["unready", "ready"])
        #expect(Self.order([Self.pod("dear", cost: 10), Self.pod("cheap", cost: -5)]) == ["cheap", "dear"])
        // Ready for less time first (different log2 buckets: 10 s vs 1 h).
        #expect(Self.order([Self.pod("long"), Self.pod("short", readyFor: 10)]) == ["short", "long"])
        // More restarts first, then younger first.
        #expect(Self.order([Self.pod("calm"), Self.pod("crashy", restarts: 4)]) == ["crashy", "calm"])
        #expect(Self.order([Self.pod("old"), Self.pod("young", age: 5)]) == ["young", "old"])
    }

    @Test func similarAgesFallBackToUIDOrder() {
        // 3600 s and 3700 s share a log2 bucket, so uid order decides instead of strict age.
        let a = Self.pod("a", age: 3700), b = Self.pod("b", age: 3600)
        #expect(Self.order([b, a]) == ["a", "b"])
    }

    @Test func victimsTakesTheFirstOrAll() {
        let pods = [Self.pod("r1"), Self.pod("u", ready: false), Self.pod("r2", readyFor: 5)]
        #expect(PodDeletionOrder.victims(pods, count: 2, now: Self.now).map(\.metadata.name) == ["u", "r2"])
        #expect(PodDeletionOrder.victims(pods, count: 5, now: Self.now).count == 3)
    }
}
