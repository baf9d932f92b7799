import API
import Foundation

/// The revisions a reconcile wrote, per kind, so it can wait for its informers to catch up before the key is
/// reconciled again (read-your-writes across reconciles of one key).
struct WrittenRevisions {
    private(set) var byKind: [String: Revision] = [:]

    mutating func note(_ result: WriteResult?) {
        guard let result, result.outcome != .unchanged, let kind = result.object["kind"]?.stringValue else { return }
        byKind[kind] = max(byKind[kind] ?? .zero, result.revision)
    }

    func revision(of kind: String) -> Revision? { byKind[kind] }

    /// Waits until `informer` has seen what was written to its kind.
    func wait<Object>(for informer: Informer<Object>) async {
        guard let revision = byKind[Object.resource.kind] else { return }
        await informer.waitUntilObserved(revision)
    }
}

extension ObjectStore {
    /// Re-reads `key` and writes `edit`'s change to it with the read `resourceVersion` as precondition.
    ///
    /// Controllers decide from their (possibly stale) caches; re-reading lets a write go through when only
    /// fields the decision did not depend on changed meanwhile (status updates by other writers, most often),
    /// which `edit` re-checks on the fresh object. `edit` returns `false` to leave the object alone.
    /// - Returns: The write's result; `nil` when the object is gone, has another uid, or `edit` declined.
    /// - Throws: `StoreError` (`.conflict` when the object changed again between read and write).
    func edit(_ key: ObjectKey, uid: String?, _ edit: (inout Value) throws -> Bool) async throws -> WriteResult? {
        let current: Value
        do {
            current = try await get(key)
        } catch let error as StoreError where error.code == .notFound {
            return nil
        }
        if let uid, current[path: ["metadata", "uid"]]?.stringValue != uid { return nil }
        var changed = current
        guard try edit(&changed), changed != current else { return nil }
        return try await update(changed)
    }

    /// Writes `status` into the object, with its uid (not its resourceVersion) as precondition: each kind's
    /// status has one writer, its controller, which never works on one key twice at once.
    func writeStatus(_ object: Value, status: Value?) async throws -> WriteResult {
        var value = object
        value["status"] = status
        value[path: ["metadata", "resourceVersion"]] = nil
        return try await updateStatus(value)
    }

    /// Records an event, ignoring failures (events are best effort, as in Kubernetes).
    func record(
        _ key: ObjectKey, _ type: ObjectEvent.EventType, _ reason: String, _ message: String, source: String
    ) async {
        try? await recordEvent(
            ObjectEvent(involvedObject: key, reason: reason, message: message, type: type, source: source))
    }
}
