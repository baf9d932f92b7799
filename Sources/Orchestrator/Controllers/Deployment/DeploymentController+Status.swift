import API
import Foundation

/// Deployment status and conditions (sync.go's status functions, progress.go).
extension DeploymentController {
    /// `DeploymentComplete`: every replica updated and available, and the latest spec observed.
    static func isComplete(_ d: Deployment, _ status: DeploymentStatus, replicas: Int) -> Bool {
        status.updatedReplicas == replicas && status.replicas == replicas && status.availableReplicas == replicas
            && status.observedGeneration >= (d.metadata.generation ?? 0)
    }

    /// Writes `status` (when it differs) and keeps it as this pass's view of the Deployment.
    func writeStatus(_ s: DeploymentSync, _ status: DeploymentStatus) async throws {
        guard status != s.deployment.status else { return }
        var updated = s.deployment
        updated.status = status
        let result = try await store.writeStatus(s.stored, status: updated.toValue()["status"])
        s.written.note(result)
        s.stored = result.object
        s.deployment.status = status
    }

    /// Status from the ReplicaSets, with the `Available` condition (`calculateStatus`).
    func calculateStatus(
        _ s: DeploymentSync, newRS: Informer<ReplicaSet>.Entry?, old: [Informer<ReplicaSet>.Entry]
    ) -> DeploymentStatus {
        let all = old.map(\.object) + (newRS.map { [$0.object] } ?? [])
        let d = s.deployment
        var status = DeploymentStatus()
        status.observedGeneration = d.metadata.generation ?? 0
        status.replicas = all.reduce(0) { $0 + $1.status.replicas }
        status.updatedReplicas = newRS?.object.status.replicas ?? 0
        status.readyReplicas = all.reduce(0) { $0 + $1.status.readyReplicas }
        status.availableReplicas = all.reduce(0) { $0 + $1.status.availableReplicas }
        let desired = all.reduce(0) { $0 + ($1.spec.replicas ?? 1) }
        status.unavailableReplicas = max(0, desired - status.availableReplicas)
        status.terminatingReplicas = all.reduce(0) { $0 + ($1.status.terminatingReplicas ?? 0) }
        status.collisionCount = d.status.collisionCount
        status.conditions = d.status.conditions
        if status.availableReplicas >= s.replicas - s.bounds.maxUnavailable {
            Conditions.set(
                &status.conditions,
                Conditions.make(
                    "Available", "True", reason: "MinimumReplicasAvailable",
                    message: "Deployment has minimum availability.", now: s.now))
        } else {
            Conditions.set(
                &status.conditions,
                Conditions.make(
                    "Available", "False", reason: "MinimumReplicasUnavailable",
                    message: "Deployment does not have minimum availability.", now: s.now))
        }
        return status
    }

    /// Status without progress accounting (scaling, paused, deleting).
    func syncDeploymentStatus(
        _ s: DeploymentSync, newRS: Informer<ReplicaSet>.Entry?, old: [Informer<ReplicaSet>.Entry]
    ) async throws {
        try await writeStatus(s, calculateStatus(s, newRS: newRS, old: old))
    }

    /// Status with progress accounting: `Progressing` is refreshed on progress, turns
    /// `NewReplicaSetAvailable` when complete and `ProgressDeadlineExceeded` when the deadline passes without
    /// progress; the key comes back at the deadline.
    func syncRolloutStatus(
        _ s: DeploymentSync, newRS: Informer<ReplicaSet>.Entry?, old: [Informer<ReplicaSet>.Entry]
    ) async throws -> ReconcileResult {
        let d = s.deployment
        var status = calculateStatus(s, newRS: newRS, old: old)
        if !s.hasProgressDeadline { Conditions.remove(&status.conditions, "Progressing") }
        let current = Conditions.get(d.status.conditions, "Progressing")
        let alreadyComplete =
            status.replicas == status.updatedReplicas && current?.reason == "NewReplicaSetAvailable"
        if s.hasProgressDeadline && !alreadyComplete {
            let subject =
                newRS.map { "ReplicaSet \"\($0.object.metadata.name)\"" } ?? "Deployment \"\(d.metadata.name)\""
            if Self.isComplete(d, status, replicas: s.replicas) {
                Conditions.set(
                    &status.conditions,
                    Conditions.make(
                        "Progressing", "True", reason: "NewReplicaSetAvailable",
                        message: "\(subject) has successfully progressed.", now: s.now))
            } else if Self.isProgressing(old: d.status, new: status) {
                var condition = Conditions.make(
                    "Progressing", "True", reason: "ReplicaSetUpdated", message: "\(subject) is progressing.",
                    now: s.now)
                if let current {
                    if current.status == "True" { condition.lastTransitionTime = current.lastTransitionTime }
                    Conditions.remove(&status.conditions, "Progressing")
                }
                Conditions.set(&status.conditions, condition)
            } else if isTimedOut(s, status) {
                Conditions.set(
                    &status.conditions,
                    Conditions.make(
                        "Progressing", "False", reason: "ProgressDeadlineExceeded",
                        message: "\(subject) has timed out progressing.", now: s.now))
            }
        }
        // ReplicaSet failures (pod create/delete errors) surface on the Deployment; the new one's first.
        let failures = (newRS.map { [$0.object] } ?? []) + old.map(\.object)
        if let failure = failures.lazy.compactMap({ Conditions.get($0.status.conditions, "ReplicaFailure") }).first {
            var condition = failure
            condition.lastUpdateTime = failure.lastTransitionTime
            Conditions.set(&status.conditions, condition)
        } else {
            Conditions.remove(&status.conditions, "ReplicaFailure")
        }
        try await writeStatus(s, status)
        return requeueForDeadline(s, status)
    }

    /// Progress since the last status: more updated replicas, fewer old ones, more ready or available.
    static func isProgressing(old: DeploymentStatus, new: DeploymentStatus) -> Bool {
        let oldOld = old.replicas - old.updatedReplicas
        let newOld = new.replicas - new.updatedReplicas
        return new.updatedReplicas > old.updatedReplicas || newOld < oldOld
            || new.readyReplicas > old.readyReplicas || new.availableReplicas > old.availableReplicas
    }

    private func deadline(_ s: DeploymentSync, _ condition: Condition) -> Date? {
        guard let seconds = s.deployment.spec.progressDeadlineSeconds,
            let updated = Timestamp.parse(condition.lastUpdateTime)
        else { return nil }
        return updated.addingTimeInterval(Double(seconds))
    }

    private func isTimedOut(_ s: DeploymentSync, _ status: DeploymentStatus) -> Bool {
        guard let condition = Conditions.get(status.conditions, "Progressing") else { return false }
        if condition.reason == "NewReplicaSetAvailable" { return false }
        if condition.reason == "ProgressDeadlineExceeded" { return true }
        guard let deadline = deadline(s, condition) else { return false }
        return deadline < s.now
    }

    /// When a rollout is under way, look again at its progress deadline (`requeueStuckDeployment`).
    private func requeueForDeadline(_ s: DeploymentSync, _ status: DeploymentStatus) -> ReconcileResult {
        guard s.hasProgressDeadline, let condition = Conditions.get(status.conditions, "Progressing"),
            condition.reason != "ProgressDeadlineExceeded",
            !Self.isComplete(s.deployment, status, replicas: s.replicas),
            let deadline = deadline(s, condition)
        else { return .done }
        let after = deadline.timeIntervalSince(s.now)
        return .requeue(after: .milliseconds(max(100, Int64(after * 1000) + 100)))
    }

    /// Adds `Progressing: Unknown` with `DeploymentPaused` / `DeploymentResumed` when `paused` flips, so
    /// a pause never reads as lack of progress.
    func checkPausedConditions(_ s: DeploymentSync) async throws {
        guard s.hasProgressDeadline else { return }
        var status = s.deployment.status
        let condition = Conditions.get(status.conditions, "Progressing")
        if condition?.reason == "ProgressDeadlineExceeded" { return }
        let pausedConditionExists = condition?.reason == "DeploymentPaused"
        let paused = s.deployment.spec.paused == true
        if paused && !pausedConditionExists {
            Conditions.set(
                &status.conditions,
                Conditions.make(
                    "Progressing", "Unknown", reason: "DeploymentPaused", message: "Deployment is paused", now: s.now))
        } else if !paused && pausedConditionExists {
            Conditions.set(
                &status.conditions,
                Conditions.make(
                    "Progressing", "Unknown", reason: "DeploymentResumed", message: "Deployment is resumed", now: s.now)
            )
        } else {
            return
        }
        try await writeStatus(s, status)
    }
}
