import API
import Foundation

/// Kubernetes' rules for `status.conditions` (deployment_util's Get/Set/RemoveDeploymentCondition, which the
/// ReplicaSet helpers mirror).
enum Conditions {
    /// The condition of this type, if any.
    static func get(_ conditions: [Condition], _ type: String) -> Condition? {
        conditions.first { $0.type == type }
    }

    /// A condition stamped `now` for both times, as `NewDeploymentCondition` makes it.
    static func make(_ type: String, _ status: String, reason: String, message: String, now: Date) -> Condition {
        var condition = Condition(type: type, status: status, reason: reason, message: message)
        condition.lastUpdateTime = Timestamp.format(now)
        condition.lastTransitionTime = Timestamp.format(now)
        return condition
    }

    /// Sets `condition`: no change when one with the same status and reason exists; the transition time is
    /// kept when only the reason changes; the new condition goes last.
    static func set(_ conditions: inout [Condition], _ condition: Condition) {
        var condition = condition
        if let current = get(conditions, condition.type) {
            if current.status == condition.status && current.reason == condition.reason { return }
            if current.status == condition.status { condition.lastTransitionTime = current.lastTransitionTime }
        }
        conditions.removeAll { $0.type == condition.type }
        conditions.append(condition)
    }

    static func remove(_ conditions: inout [Condition], _ type: String) {
        conditions.removeAll { $0.type == type }
    }
}
