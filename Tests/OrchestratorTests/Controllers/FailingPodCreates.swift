import API
import Foundation
import Orchestrator

/// The real store with one fault injected: pod creates fail (with `.io`, as a full disk would) once `budget`
/// of them have succeeded, until `heal()`. Everything else goes straight to the SQLite store.
final class FailingPodCreates: ObjectStore, @unchecked Sendable {
    private let base: SQLiteObjectStore
    private let lock = NSLock()
    private var budget: Int?

    init(_ base: SQLiteObjectStore, succeeding budget: Int) {
        self.base = base
        self.budget = budget
    }

    func heal() {
        lock.lock()
        budget = nil
        lock.unlock()
    }

    private func admitPodCreate() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let remaining = budget else { return true }
        if remaining == 0 { return false }
        budget = remaining - 1
        return true
    }

    func create(_ object: Value) async throws -> WriteResult {
        if object["kind"]?.stringValue == "Pod", !admitPodCreate() {
            throw StoreError(.io, "injected failure: no space left on device")
        }
        return try await base.create(object)
    }

    func currentRevision() async throws -> Revision { try await base.currentRevision() }
    func get(_ key: ObjectKey) async throws -> Value { try await base.get(key) }
    func list(_ filter: ObjectFilter) async throws -> ObjectList { try await base.list(filter) }
    func update(_ object: Value) async throws -> WriteResult { try await base.update(object) }
    func updateStatus(_ object: Value) async throws -> WriteResult { try await base.updateStatus(object) }
    func apply(_ object: Value) async throws -> WriteResult { try await base.apply(object) }
    func commit(_ writes: [StoreWrite]) async throws -> [WriteResult] { try await base.commit(writes) }
    func delete(_ key: ObjectKey, options: DeleteOptions) async throws -> WriteResult {
        try await base.delete(key, options: options)
    }
    func watch(_ filter: ObjectFilter, from revision: Revision?) async throws -> WatchStream {
        try await base.watch(filter, from: revision)
    }
    func recordEvent(_ event: ObjectEvent) async throws { try await base.recordEvent(event) }
    func events(for key: ObjectKey) async throws -> [ObjectEvent] { try await base.events(for: key) }
}
