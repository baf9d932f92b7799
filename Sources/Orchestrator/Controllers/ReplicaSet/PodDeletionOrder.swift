import API
import Foundation

/// The order in which a ReplicaSet scales down: Kubernetes' `ActivePodsWithRanks` ranking.
///
/// Pods that cost the least to lose go first: unscheduled before scheduled; Pending before Unknown before
/// Running; not ready before ready; lower `controller.kubernetes.io/pod-deletion-cost` first; pods sharing
/// a node with more of their siblings first; among ready pods, the one ready for less time first; more
/// container restarts first; then the youngest. Times are compared in logarithmic buckets (`floor(log2(age))`,
/// the `LogarithmicScaleDown` behaviour, on by default), ties broken by uid, so that pods of similar age are
/// picked at random rather than strictly the newest.
enum PodDeletionOrder {
    /// The `count` pods to delete, first victim first; all pods when `count` is at least their number.
    static func victims(_ pods: [Pod], count: Int, now: Date) -> [Pod] {
        guard count < pods.count else { return pods }
        return Array(sorted(pods, now: now).prefix(max(0, count)))
    }

    /// All pods, first victim first.
    static func sorted(_ pods: [Pod], now: Date) -> [Pod] {
        var onNode: [String: Int] = [:]
        for pod in pods { onNode[pod.spec.nodeName ?? "", default: 0] += 1 }
        let ranked = pods.enumerated().map { index, pod in
            (index: index, pod: pod, rank: onNode[pod.spec.nodeName ?? ""] ?? 0)
        }
        return ranked.sorted { a, b in
            if let less = precedes(a.pod, a.rank, b.pod, b.rank, now: now) { return less }
            return a.index < b.index
        }.map(\.pod)
    }

    /// Whether `a` goes before `b`; `nil` when the rules cannot tell them apart.
    static func precedes(_ a: Pod, _ rankA: Int, _ b: Pod, _ rankB: Int, now: Date) -> Bool? {
        // 1. Unassigned before assigned.
        let nodeA = a.spec.nodeName ?? "", nodeB = b.spec.nodeName ?? ""
        if nodeA != nodeB && (nodeA.isEmpty || nodeB.isEmpty) { return nodeA.isEmpty }
        // 2. Pending < Unknown < Running.
        if phaseOrdinal(a) != phaseOrdinal(b) { return phaseOrdinal(a) < phaseOrdinal(b) }
        // 3. Not ready before ready.
        if a.isReady != b.isReady { return !a.isReady }
        // 4. Lower deletion cost first.
        if deletionCost(a) != deletionCost(b) { return deletionCost(a) < deletionCost(b) }
        // 5. More siblings on the same node first.
        if rankA != rankB { return rankA > rankB }
        // 6. Ready for less time first.
        if a.isReady && b.isReady {
            let readyA = Timestamp.parse(a.readyCondition?.lastTransitionTime)
            let readyB = Timestamp.parse(b.readyCondition?.lastTransitionTime)
            if readyA != readyB, let result = newerFirst(readyA, readyB, a, b, now: now) { return result }
        }
        // 7. More restarts first.
        if a.maxRestarts != b.maxRestarts { return a.maxRestarts > b.maxRestarts }
        // 8. Younger first.
        let createdA = Timestamp.parse(a.metadata.creationTimestamp)
        let createdB = Timestamp.parse(b.metadata.creationTimestamp)
        if createdA != createdB, let result = newerFirst(createdA, createdB, a, b, now: now) { return result }
        return nil
    }

    private static func phaseOrdinal(_ pod: Pod) -> Int {
        switch pod.status.phase {
        case "Unknown": 1
        case "Running": 2
        default: 0
        }
    }

    private static func deletionCost(_ pod: Pod) -> Int32 {
        pod.metadata.annotations[WellKnown.Annotations.podDeletionCost].flatMap { Int32($0) } ?? 0
    }

    /// Later time first, a missing time first of all; equal log2 buckets of age fall back to uid order.
    private static func newerFirst(_ a: Date?, _ b: Date?, _ podA: Pod, _ podB: Pod, now: Date) -> Bool? {
        guard let a, let b else { return a == nil }
        let difference = logBucket(now.timeIntervalSince(a)) - logBucket(now.timeIntervalSince(b))
        if difference == 0 {
            let uidA = podA.metadata.uid ?? "", uidB = podB.metadata.uid ?? ""
            return uidA == uidB ? nil : uidA < uidB
        }
        return difference < 0
    }

    /// `floor(log2(age in nanoseconds))`, `-1` for a non-positive age (as Kubernetes computes it).
    private static func logBucket(_ age: TimeInterval) -> Int {
        let nanoseconds = age * 1e9
        return nanoseconds > 0 ? Int(log2(nanoseconds).rounded(.down)) : -1
    }
}
