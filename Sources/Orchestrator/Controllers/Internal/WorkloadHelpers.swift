import API
import Foundation

/// Deployment annotations never copied to ReplicaSets (and kept from the Deployment on rollback).
enum WorkloadKeys {
    static let skippedAnnotations: Set<String> = [
        WellKnown.Annotations.lastApplied, WellKnown.Annotations.revision, WellKnown.Annotations.revisionHistory,
        WellKnown.Annotations.desiredReplicas, WellKnown.Annotations.maxReplicas, WellKnown.Annotations.rollbackTo,
    ]
}

extension ObjectMeta {
    /// The owner reference marked `controller: true`.
    var controllerReference: OwnerReference? {
        ownerReferences.first { $0.controller == true }
    }

    /// Whether the object is being deleted.
    var isDeleting: Bool { deletionTimestamp != nil }

    /// `creationTimestamp` as a date (distant past when missing, so such objects sort as oldest).
    var creationDate: Date { Timestamp.parse(creationTimestamp) ?? .distantPast }
}

extension OwnerReference {
    /// A controller reference to `owner`, as the controllers write it (`controller` and `blockOwnerDeletion`).
    static func controller(of owner: ObjectMeta, resource: ResourceKind) -> OwnerReference {
        var reference = OwnerReference(
            apiVersion: resource.apiVersion, kind: resource.kind, name: owner.name, uid: owner.uid ?? "",
            controller: true)
        reference.blockOwnerDeletion = true
        return reference
    }

    /// As a `Value`, for edits of stored objects.
    var value: Value {
        var value: Value = [
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
        ]
        if let controller { value["controller"] = .bool(controller) }
        if let blockOwnerDeletion { value["blockOwnerDeletion"] = .bool(blockOwnerDeletion) }
        return value
    }
}

extension Pod {
    /// Succeeded or Failed: the pod will not run again.
    var isTerminal: Bool { status.phase == "Succeeded" || status.phase == "Failed" }

    /// Counted by its ReplicaSet: not terminal and not being deleted.
    var isActive: Bool { !isTerminal && !metadata.isDeleting }

    /// The `Ready` condition.
    var readyCondition: Condition? { Conditions.get(status.conditions, "Ready") }

    /// `Ready` is `True`.
    var isReady: Bool { readyCondition?.status == "True" }

    /// When the pod became (or becomes) available: Ready since `lastTransitionTime + minReadySeconds`.
    /// `nil` when it is not ready.
    func availableSince(minReadySeconds: Int) -> Date? {
        guard let ready = readyCondition, ready.status == "True" else { return nil }
        if minReadySeconds <= 0 { return .distantPast }
        guard let since = Timestamp.parse(ready.lastTransitionTime) else { return nil }
        return since.addingTimeInterval(Double(minReadySeconds))
    }

    /// Ready for at least `minReadySeconds` at `now` (Kubernetes' `IsPodAvailable`).
    func isAvailable(minReadySeconds: Int, now: Date) -> Bool {
        guard let since = availableSince(minReadySeconds: minReadySeconds) else { return false }
        return minReadySeconds <= 0 || since < now
    }

    /// The highest restart count of its containers.
    var maxRestarts: Int {
        (status.containerStatuses + status.initContainerStatuses).map(\.restartCount).max() ?? 0
    }
}

extension Value {
    /// `metadata.annotations` as strings (missing: empty).
    var annotations: [String: String] {
        get { self[path: ["metadata", "annotations"]]?.stringMap ?? [:] }
        set { self[path: ["metadata", "annotations"]] = newValue.isEmpty ? nil : Value(newValue) }
    }
}
