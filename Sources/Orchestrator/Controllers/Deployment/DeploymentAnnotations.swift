import API

/// The annotations the Deployment controller keeps on ReplicaSets (deployment_util's revision and replica
/// annotation helpers): revision numbers, revision history, the sizes a ReplicaSet was last scaled for, and
/// the Deployment's own annotations (`kubernetes.io/change-cause` above all).
enum DeploymentAnnotations {
    /// `revision-history` is cut from the front to stay within this many characters.
    static let maxRevisionHistoryCharacters = 2000

    /// The `deployment.kubernetes.io/revision` number; 0 when missing or not a number.
    static func revision(_ annotations: [String: String]) -> Int {
        annotations[WellKnown.Annotations.revision].flatMap { Int($0) } ?? 0
    }

    /// Copies the Deployment's annotations (but the controller's own and `last-applied-configuration`).
    /// Annotations removed from the Deployment stay on the ReplicaSet, as in Kubernetes.
    /// - Returns: Whether anything changed.
    static func copy(from deployment: [String: String], to rs: inout [String: String]) -> Bool {
        var changed = false
        for (key, value) in deployment where !WorkloadKeys.skippedAnnotations.contains(key) && rs[key] != value {
            rs[key] = value
            changed = true
        }
        return changed
    }

    /// Brings the new ReplicaSet's annotations up to date: the Deployment's annotations, `newRevision` when
    /// it is higher than the one it has (moving the old number into `revision-history`: this ReplicaSet is
    /// being rolled back to), and for a ReplicaSet about to be created the replica annotations.
    /// - Returns: Whether anything changed.
    static func setNewReplicaSetAnnotations(
        deployment: [String: String], rs: inout [String: String], newRevision: Int, exists: Bool, desired: Int,
        maxReplicas: Int
    ) -> Bool {
        var changed = copy(from: deployment, to: &rs)
        let oldText = rs[WellKnown.Annotations.revision]
        let oldRevision: Int
        if let oldText, !oldText.isEmpty {
            guard let parsed = Int(oldText) else { return changed }
            oldRevision = parsed
        } else {
            oldRevision = 0
        }
        if oldRevision < newRevision {
            rs[WellKnown.Annotations.revision] = String(newRevision)
            changed = true
            if let oldText, !oldText.isEmpty {
                rs[WellKnown.Annotations.revisionHistory] = appendHistory(rs[WellKnown.Annotations.revisionHistory] ?? "", oldText)
            }
        }
        if !exists && setReplicas(&rs, desired: desired, maxReplicas: maxReplicas) { changed = true }
        return changed
    }

    /// `history` with `revision` appended, the oldest entries dropped to stay within the character limit.
    static func appendHistory(_ history: String, _ revision: String) -> String {
        guard !history.isEmpty else { return revision }
        var entries = history.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var total = history.count + revision.count + 1
        while total > maxRevisionHistoryCharacters, !entries.isEmpty {
            total -= entries.removeFirst().count + 1
        }
        return (entries + [revision]).joined(separator: ",")
    }

    /// Sets `desired-replicas` and `max-replicas`. - Returns: Whether they changed.
    static func setReplicas(_ rs: inout [String: String], desired: Int, maxReplicas: Int) -> Bool {
        guard replicasNeedUpdate(rs, desired: desired, maxReplicas: maxReplicas) else { return false }
        rs[WellKnown.Annotations.desiredReplicas] = String(desired)
        rs[WellKnown.Annotations.maxReplicas] = String(maxReplicas)
        return true
    }

    static func replicasNeedUpdate(_ rs: [String: String], desired: Int, maxReplicas: Int) -> Bool {
        rs[WellKnown.Annotations.desiredReplicas] != String(desired) || rs[WellKnown.Annotations.maxReplicas] != String(maxReplicas)
    }
}
