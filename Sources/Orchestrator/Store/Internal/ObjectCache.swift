import API

/// Decoded objects by key and revision, so an update need not parse the stored JSON it just wrote.
///
/// Only the writer queue touches it. An entry is used only when the row's revision still equals the
/// cached one; revisions are global and never reused once committed, so a match means the same bytes.
/// Uncommitted revisions can be reused after a rollback, so any rollback clears the cache.
final class ObjectCache: @unchecked Sendable {
    private var entries: [ObjectKey: (revision: Int64, object: Value)] = [:]
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func object(_ key: ObjectKey, revision: Int64) -> Value? {
        guard let entry = entries[key], entry.revision == revision else { return nil }
        return entry.object
    }

    func store(_ key: ObjectKey, revision: Int64, object: Value) {
        if entries.count >= capacity && entries[key] == nil { entries.removeAll(keepingCapacity: true) }
        entries[key] = (revision, object)
    }

    func remove(_ key: ObjectKey) {
        entries[key] = nil
    }

    func clear() {
        entries.removeAll()
    }
}
