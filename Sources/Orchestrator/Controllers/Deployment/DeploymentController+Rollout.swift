import API
import Foundation

/// The rollout strategies and proportional scaling (rolling.go, recreate.go, sync.go).
extension DeploymentController {
    private func counts(_ entry: Informer<ReplicaSet>.Entry, order: Int) -> RolloutMath.ReplicaSetCounts {
        RolloutMath.ReplicaSetCounts(
            name: entry.object.metadata.name, desired: entry.object.spec.replicas ?? 1,
            available: entry.object.status.availableReplicas, createdOrder: order)
    }

    /// The current state of a ReplicaSet this pass may have written.
    private func latest(_ s: DeploymentSync, _ entry: Informer<ReplicaSet>.Entry) -> Informer<ReplicaSet>.Entry {
        s.entry(uid: entry.object.metadata.uid) ?? entry
    }

    // MARK: RollingUpdate

    func rolloutRolling(_ s: DeploymentSync) async throws -> ReconcileResult {
        var (new, old) = try await replicaSetsAndSyncRevision(s, createIfMissing: true)
        guard var newRS = new else { return try await syncRolloutStatus(s, newRS: nil, old: old) }

        // Grow (or trim) the new ReplicaSet within maxSurge.
        let desired = newRS.object.spec.replicas ?? 1
        var target = desired
        if desired > s.replicas {
            target = s.replicas
        } else if desired < s.replicas {
            let total = (old + [newRS]).reduce(0) { $0 + Self.podCount($1.object) }
            target = RolloutMath.newReplicaSetSize(
                replicas: s.replicas, newDesired: desired, totalDesired: total, bounds: s.bounds)
        }
        if try await scale(s, newRS, to: target) {
            return try await syncRolloutStatus(s, newRS: latest(s, newRS), old: old.map { latest(s, $0) })
        }
        newRS = latest(s, newRS)

        // Shrink the old ones within maxUnavailable, unhealthy replicas first.
        let active = old.enumerated().filter { ($0.element.object.spec.replicas ?? 1) > 0 }
        let sizes = RolloutMath.scaleDownOld(
            replicas: s.replicas, new: counts(newRS, order: old.count),
            old: active.map { counts($0.element, order: $0.offset) }, bounds: s.bounds)
        var scaledDown = false
        for entry in old {
            guard let size = sizes[entry.object.metadata.name] else { continue }
            if try await scale(s, entry, to: size) { scaledDown = true }
        }
        old = old.map { latest(s, $0) }
        if scaledDown { return try await syncRolloutStatus(s, newRS: newRS, old: old) }

        if Self.isComplete(s.deployment, s.deployment.status, replicas: s.replicas) {
            try await cleanupHistory(s, old: old)
            old = old.filter { s.entry(uid: $0.object.metadata.uid) != nil }
        }
        return try await syncRolloutStatus(s, newRS: newRS, old: old)
    }

    /// What a ReplicaSet counts for against `replicas + maxSurge`: its size, or the pods it still has when
    /// more (a scaled-down ReplicaSet whose controller has not deleted the surplus yet). Kubernetes counts sizes
    /// only; counting both keeps the surge bound true of the pods that exist.
    static func podCount(_ rs: ReplicaSet) -> Int {
        max(rs.spec.replicas ?? 1, rs.status.replicas)
    }

    // MARK: Recreate

    func rolloutRecreate(_ s: DeploymentSync) async throws -> ReconcileResult {
        var (new, old) = try await replicaSetsAndSyncRevision(s, createIfMissing: false)
        var scaledDown = false
        for entry in old where (entry.object.spec.replicas ?? 1) > 0 {
            if try await scale(s, entry, to: 0) { scaledDown = true }
        }
        old = old.map { latest(s, $0) }
        if scaledDown { return try await syncRolloutStatus(s, newRS: new.map { latest(s, $0) }, old: old) }

        // Never overlap: wait until no pod of an old ReplicaSet is left running (or pending, or terminating).
        if oldPodsRunning(s, new: new, old: old) { return try await syncRolloutStatus(s, newRS: new, old: old) }

        let newSize = new?.object.spec.replicas ?? 0
        if newSize < s.replicas, newSize == 0, try await oldPodsInStore(s, old: old) {
            // The caches said the old pods are gone but the store still has one: wait for its deletion event.
            return try await syncRolloutStatus(s, newRS: new, old: old)
        }
        if new == nil { (new, old) = try await replicaSetsAndSyncRevision(s, createIfMissing: true) }
        guard let newRS = new else { return try await syncRolloutStatus(s, newRS: nil, old: old) }
        try await scale(s, newRS, to: s.replicas)

        if Self.isComplete(s.deployment, s.deployment.status, replicas: s.replicas) {
            try await cleanupHistory(s, old: old)
            old = old.filter { s.entry(uid: $0.object.metadata.uid) != nil }
        }
        return try await syncRolloutStatus(s, newRS: latest(s, newRS), old: old)
    }

    private func oldPodsRunning(
        _ s: DeploymentSync, new: Informer<ReplicaSet>.Entry?, old: [Informer<ReplicaSet>.Entry]
    ) -> Bool {
        if old.contains(where: { $0.object.status.replicas > 0 }) { return true }
        let newUID = new?.object.metadata.uid
        for (uid, pods) in s.podsByReplicaSet where uid != newUID {
            if pods.contains(where: { !$0.isTerminal }) { return true }
        }
        return false
    }

    /// The same check against the store itself, made once before the new ReplicaSet starts pods.
    private func oldPodsInStore(_ s: DeploymentSync, old: [Informer<ReplicaSet>.Entry]) async throws -> Bool {
        let oldUIDs = Set(old.compactMap(\.object.metadata.uid))
        guard !oldUIDs.isEmpty else { return false }
        let list = try await store.list(kind: Pod.resource.kind, namespace: s.deployment.metadata.namespace)
        return list.items.contains { value in
            guard let pod = try? Pod(value), let reference = pod.metadata.controllerReference else { return false }
            return oldUIDs.contains(reference.uid) && !pod.isTerminal
        }
    }

    // MARK: Scaling (paused, or replicas changed mid-rollout)

    /// Whether `replicas` changed since the active ReplicaSets were last sized (their `desired-replicas`).
    func isScalingEvent(_ s: DeploymentSync) async throws -> Bool {
        let (new, old) = try await replicaSetsAndSyncRevision(s, createIfMissing: false)
        let all = (new.map { [$0] } ?? []) + old
        for entry in all where (entry.object.spec.replicas ?? 1) > 0 {
            guard let desired = entry.object.metadata.annotations[WellKnown.Annotations.desiredReplicas].flatMap({ Int($0) })
            else { continue }
            if desired != s.replicas { return true }
        }
        return false
    }

    /// Kubernetes' `sync`: scale proportionally, clean up history when paused, write status.
    func syncScaling(_ s: DeploymentSync) async throws -> ReconcileResult {
        var (new, old) = try await replicaSetsAndSyncRevision(s, createIfMissing: false)
        try await scaleProportionally(s, new: new, old: old)
        new = new.map { latest(s, $0) }
        old = old.map { latest(s, $0) }
        if s.deployment.spec.paused == true {
            try await cleanupHistory(s, old: old)
            old = old.filter { s.entry(uid: $0.object.metadata.uid) != nil }
        }
        try await syncDeploymentStatus(s, newRS: new, old: old)
        return .done
    }

    private func scaleProportionally(
        _ s: DeploymentSync, new: Informer<ReplicaSet>.Entry?, old: [Informer<ReplicaSet>.Entry]
    ) async throws {
        let isActive = { (entry: Informer<ReplicaSet>.Entry) in (entry.object.spec.replicas ?? 1) > 0 }
        let all = old + (new.map { [$0] } ?? [])  // oldest first, the new one last
        let active = all.filter(isActive)
        // One active ReplicaSet (or none: then the newest) takes the whole size.
        if active.count <= 1 {
            let target = active.first ?? new ?? old.last
            if let target, (target.object.spec.replicas ?? 1) != s.replicas {
                try await scale(s, target, to: s.replicas)
            }
            return
        }
        // The new ReplicaSet is saturated: the old ones go.
        if let new, isSaturated(s, new) {
            for entry in old where isActive(entry) { try await scale(s, entry, to: 0) }
            return
        }
        guard !s.isRecreate else { return }
        let ordered = all.enumerated().filter { isActive($0.element) }
        let sizes = RolloutMath.proportionalSizes(
            replicas: s.replicas, bounds: s.bounds,
            active: ordered.map { order, entry in
                let previous = entry.object.metadata.annotations[WellKnown.Annotations.maxReplicas].flatMap { Int($0) }
                return (counts(entry, order: order), previous ?? s.deployment.status.replicas)
            })
        for (_, entry) in ordered {
            try await scale(s, entry, to: sizes[entry.object.metadata.name] ?? (entry.object.spec.replicas ?? 1))
        }
    }

    private func isSaturated(_ s: DeploymentSync, _ entry: Informer<ReplicaSet>.Entry) -> Bool {
        let rs = entry.object
        let desired = rs.metadata.annotations[WellKnown.Annotations.desiredReplicas].flatMap { Int($0) }
        return (rs.spec.replicas ?? 1) == s.replicas && desired == s.replicas
            && rs.status.availableReplicas == s.replicas
    }
}
