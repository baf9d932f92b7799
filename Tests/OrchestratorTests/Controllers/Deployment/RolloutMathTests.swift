import API
import Testing

@testable import Orchestrator

@Suite struct RolloutMathTests {
    @Test(arguments: [
        (1, 1, 0), (3, 1, 0), (4, 1, 1), (10, 3, 2), (0, 0, 0),
    ])
    func defaultBoundsRoundSurgeUpAndUnavailableDown(replicas: Int, surge: Int, unavailable: Int) {
        let bounds = RolloutMath.bounds(isRolling: true, replicas: replicas, maxSurge: nil, maxUnavailable: nil)
        #expect(bounds == .init(maxSurge: surge, maxUnavailable: unavailable))
    }

    @Test func bothZeroAllowsOneUnavailableAndRecreateAllowsNothing() {
        #expect(
            RolloutMath.bounds(isRolling: true, replicas: 1, maxSurge: "10%", maxUnavailable: 0)
                == .init(maxSurge: 1, maxUnavailable: 0))
        #expect(
            RolloutMath.bounds(isRolling: true, replicas: 5, maxSurge: 0, maxUnavailable: "0%")
                == .init(maxSurge: 0, maxUnavailable: 1))
        #expect(
            RolloutMath.bounds(isRolling: false, replicas: 5, maxSurge: 2, maxUnavailable: 2)
                == .init(maxSurge: 0, maxUnavailable: 0))
        #expect(
            RolloutMath.bounds(isRolling: true, replicas: 3, maxSurge: 0, maxUnavailable: 7)
                == .init(maxSurge: 0, maxUnavailable: 3))
    }

    /// Kubernetes' worked example: 4 replicas, defaults (surge 1, unavailable 1), old ReplicaSet all available.
    @Test func rollingUpdateStepsOfTheWorkedExample() {
        let bounds = RolloutMath.bounds(isRolling: true, replicas: 4, maxSurge: nil, maxUnavailable: nil)
        // 1) the new ReplicaSet starts at 1 (total 5 = replicas + surge).
        #expect(RolloutMath.newReplicaSetSize(replicas: 4, newDesired: 0, totalDesired: 4, bounds: bounds) == 1)
        // 2) one old replica may go while the new one is not yet available.
        let new = RolloutMath.ReplicaSetCounts(name: "new", desired: 1, available: 0, createdOrder: 2)
        let old = RolloutMath.ReplicaSetCounts(name: "old", desired: 4, available: 4, createdOrder: 1)
        #expect(RolloutMath.scaleDownOld(replicas: 4, new: new, old: [old], bounds: bounds) == ["old": 3])
        // 3) the new one grows to 2 (total back to 5).
        #expect(RolloutMath.newReplicaSetSize(replicas: 4, newDesired: 1, totalDesired: 4, bounds: bounds) == 2)
        // Nothing more may go until new pods are available.
        let new2 = RolloutMath.ReplicaSetCounts(name: "new", desired: 2, available: 0, createdOrder: 2)
        let old3 = RolloutMath.ReplicaSetCounts(name: "old", desired: 3, available: 3, createdOrder: 1)
        #expect(RolloutMath.scaleDownOld(replicas: 4, new: new2, old: [old3], bounds: bounds).isEmpty)
        // 4) both new pods available: two old ones may go.
        let new2ready = RolloutMath.ReplicaSetCounts(name: "new", desired: 2, available: 2, createdOrder: 2)
        #expect(RolloutMath.scaleDownOld(replicas: 4, new: new2ready, old: [old3], bounds: bounds) == ["old": 1])
        // The new ReplicaSet never grows past replicas, and shrinks to it when above.
        #expect(RolloutMath.newReplicaSetSize(replicas: 4, newDesired: 6, totalDesired: 6, bounds: bounds) == 4)
    }

    @Test func unhealthyOldReplicasGoFirstOldestFirst() {
        let bounds = RolloutMath.Bounds(maxSurge: 1, maxUnavailable: 0)
        let new = RolloutMath.ReplicaSetCounts(name: "new", desired: 1, available: 1, createdOrder: 3)
        let older = RolloutMath.ReplicaSetCounts(name: "older", desired: 2, available: 0, createdOrder: 1)
        let old = RolloutMath.ReplicaSetCounts(name: "old", desired: 2, available: 2, createdOrder: 2)
        // replicas 4, all desired 5, minAvailable 4 → budget 1 for unhealthy, then available 3 ≤ 4 stops.
        #expect(RolloutMath.scaleDownOld(replicas: 4, new: new, old: [old, older], bounds: bounds) == ["older": 1])
    }

    /// The documented example: 10 replicas with surge 3, mid-rollout old=8 new=5, scaled to 15.
    @Test func proportionalScalingSplitsTheDifferenceBySize() {
        let bounds = RolloutMath.Bounds(maxSurge: 3, maxUnavailable: 2)
        let sizes = RolloutMath.proportionalSizes(
            replicas: 15, bounds: bounds,
            active: [
                (RolloutMath.ReplicaSetCounts(name: "old", desired: 8, available: 8, createdOrder: 1), 13),
                (RolloutMath.ReplicaSetCounts(name: "new", desired: 5, available: 0, createdOrder: 2), 13),
            ])
        #expect(sizes == ["old": 11, "new": 7])
        let down = RolloutMath.proportionalSizes(
            replicas: 0, bounds: bounds,
            active: [(RolloutMath.ReplicaSetCounts(name: "a", desired: 3, available: 3, createdOrder: 1), 4)])
        #expect(down == ["a": 0])
    }

    @Test func podTemplateHashIsDeterministicAndShaped() {
        let template: Value = ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "c"]]]]
        let same: Value = ["spec": ["containers": [["name": "c"]]], "metadata": ["labels": ["app": "web"]]]
        let hash = PodTemplateHash.compute(template: template)
        #expect(hash == PodTemplateHash.compute(template: same))
        #expect(hash != PodTemplateHash.compute(template: template, collisionCount: 1))
        #expect(hash.count <= 10 && !hash.isEmpty)
        #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }
}
