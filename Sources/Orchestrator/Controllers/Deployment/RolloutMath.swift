public import API

/// The arithmetic of a Deployment rollout, kept apart from I/O so every rule can be tested as a table.
///
/// These follow the Kubernetes Deployment controller: how `maxSurge`/`maxUnavailable` resolve against the
/// replica count, how far the new ReplicaSet may grow in one step, and how much of the old ones may go.
public enum RolloutMath {
    /// The resolved rolling-update bounds of one Deployment.
    public struct Bounds: Sendable, Hashable {
        /// Pods allowed above `replicas` during a rollout.
        public var maxSurge: Int
        /// Pods allowed to be unavailable below `replicas`.
        public var maxUnavailable: Int

        public init(maxSurge: Int, maxUnavailable: Int) {
            self.maxSurge = maxSurge
            self.maxUnavailable = maxUnavailable
        }
    }

    /// One ReplicaSet as the rollout step sees it.
    public struct ReplicaSetCounts: Sendable, Hashable {
        public var name: String
        /// `spec.replicas`: what the ReplicaSet is asked to run.
        public var desired: Int
        /// `status.availableReplicas`.
        public var available: Int
        /// Creation order; older ReplicaSets are scaled down first.
        public var createdOrder: Int

        public init(name: String, desired: Int, available: Int, createdOrder: Int) {
            self.name = name
            self.desired = desired
            self.available = available
            self.createdOrder = createdOrder
        }
    }

    /// Resolves an int-or-percent field (`3` or `"25%"`) against `total`.
    /// Percentages round up for surge and down for unavailability, as Kubernetes does.
    /// - Returns: `nil` when the value is neither an integer nor `"N%"`.
    public static func resolve(_ value: Value?, total: Int, default defaultValue: Value, roundUp: Bool) -> Int? {
        switch value ?? defaultValue {
        case .int(let int):
            return Int(int)
        case .string(let string):
            guard string.hasSuffix("%"), let percent = Int(string.dropLast()), percent >= 0 else {
                return Int(string)
            }
            let scaled = percent * total
            return roundUp ? (scaled + 99) / 100 : scaled / 100
        case .double(let double) where double.rounded() == double:
            return Int(double)
        default:
            return nil
        }
    }

    /// The bounds for a RollingUpdate Deployment (`isRolling == false` means Recreate: no surge, no
    /// unavailability budget). When both resolve to zero, one pod may be unavailable so progress is possible.
    public static func bounds(isRolling: Bool, replicas: Int, maxSurge: Value?, maxUnavailable: Value?) -> Bounds {
        guard isRolling else { return Bounds(maxSurge: 0, maxUnavailable: 0) }
        let surge = resolve(maxSurge, total: replicas, default: "25%", roundUp: true) ?? 0
        var unavailable = resolve(maxUnavailable, total: replicas, default: "25%", roundUp: false) ?? 0
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return Bounds(maxSurge: surge, maxUnavailable: replicas == 0 ? 0 : min(unavailable, replicas))
    }

    /// The size the new ReplicaSet should have after this step.
    /// - Parameters:
    ///   - replicas: The Deployment's `spec.replicas`.
    ///   - newDesired: The new ReplicaSet's current `spec.replicas`.
    ///   - totalDesired: Σ `spec.replicas` over all the Deployment's ReplicaSets (new included).
    public static func newReplicaSetSize(replicas: Int, newDesired: Int, totalDesired: Int, bounds: Bounds) -> Int {
        if newDesired >= replicas { return replicas }
        let maxTotal = replicas + bounds.maxSurge
        guard totalDesired < maxTotal else { return newDesired }
        return newDesired + min(maxTotal - totalDesired, replicas - newDesired)
    }

    /// New sizes for old ReplicaSets after this step, oldest scaled down first; unchanged ones are left out.
    ///
    /// First unhealthy old replicas (desired but not available) are removed within the budget, since
    /// removing them costs no availability; then available ones, as long as at least
    /// `replicas - maxUnavailable` stay available.
    public static func scaleDownOld(
        replicas: Int, new: ReplicaSetCounts?, old: [ReplicaSetCounts], bounds: Bounds
    ) -> [String: Int] {
        let oldTotal = old.reduce(0) { $0 + $1.desired }
        guard oldTotal > 0 else { return [:] }
        let minAvailable = replicas - bounds.maxUnavailable
        let allDesired = oldTotal + (new?.desired ?? 0)
        let newUnavailable = max(0, (new?.desired ?? 0) - (new?.available ?? 0))
        var budget = allDesired - minAvailable - newUnavailable
        guard budget > 0 else { return [:] }

        var sizes: [String: Int] = [:]
        var sorted = old.sorted { $0.createdOrder < $1.createdOrder }
        // (a) Unhealthy replicas first.
        for index in sorted.indices where budget > 0 {
            let rs = sorted[index]
            guard rs.desired > 0, rs.desired != rs.available else { continue }
            let cut = min(budget, rs.desired - rs.available)
            guard cut > 0 else { continue }
            sorted[index].desired -= cut
            budget -= cut
            sizes[rs.name] = sorted[index].desired
        }
        // (b) Then healthy ones, keeping minAvailable.
        let available = sorted.reduce(0) { $0 + min($1.available, $1.desired) } + (new?.available ?? 0)
        guard available > minAvailable else { return sizes }
        var remaining = available - minAvailable
        for index in sorted.indices where remaining > 0 {
            let rs = sorted[index]
            guard rs.desired > 0 else { continue }
            let cut = min(rs.desired, remaining)
            sorted[index].desired -= cut
            remaining -= cut
            sizes[rs.name] = sorted[index].desired
        }
        return sizes
    }

    /// Proportional scaling: when `replicas` changes during a rollout, spread the difference over the
    /// active ReplicaSets in proportion to their size, so neither the old nor the new version is favoured.
    /// - Parameters:
    ///   - active: ReplicaSets with `desired > 0`, each with the Deployment size (`max-replicas`
    ///     annotation) it was last scaled for, in `previousMax`.
    /// - Returns: New sizes by name.
    public static func proportionalSizes(
        replicas: Int, bounds: Bounds, active: [(counts: ReplicaSetCounts, previousMax: Int)]
    ) -> [String: Int] {
        let allowed = replicas > 0 ? replicas + bounds.maxSurge : 0
        let current = active.reduce(0) { $0 + $1.counts.desired }
        let toAdd = allowed - current
        guard toAdd != 0 else { return [:] }
        let ordered = active.sorted { lhs, rhs in
            if lhs.counts.desired != rhs.counts.desired { return lhs.counts.desired > rhs.counts.desired }
            return toAdd > 0
                ? lhs.counts.createdOrder > rhs.counts.createdOrder
                : lhs.counts.createdOrder < rhs.counts.createdOrder
        }
        var sizes: [String: Int] = [:]
        var added = 0
        for (counts, previousMax) in ordered {
            var share: Int
            if replicas == 0 || previousMax <= 0 {
                share = replicas == 0 ? -counts.desired : 0
            } else {
                let proportional = (Double(counts.desired) * Double(allowed) / Double(previousMax)).rounded()
                share = Int(proportional) - counts.desired
            }
            share = toAdd > 0 ? min(share, toAdd - added) : max(share, toAdd - added)
            added += share
            sizes[counts.name] = counts.desired + share
        }
        if let first = ordered.first, added != toAdd {
            sizes[first.counts.name] = max(0, (sizes[first.counts.name] ?? first.counts.desired) + toAdd - added)
        }
        return sizes.filter { name, size in active.first { $0.counts.name == name }?.counts.desired != size }
    }
}
