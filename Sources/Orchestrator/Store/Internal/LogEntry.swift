import API

/// One row of the change log, decoded: what the watch hub fans out.
struct LogEntry: Sendable {
    var revision: Int64
    var type: WatchEvent.EventType
    var key: ObjectKey
    /// The object after the change (for a delete: its last state, at the deletion's revision).
    var object: Value
    /// The object before a modification, kept only when its labels changed (a selector watch needs it to
    /// tell "started/stopped matching" apart).
    var previous: Value?

    static func typeCode(_ type: WatchEvent.EventType) -> Int {
        switch type {
        case .added: 0
        case .modified: 1
        case .deleted: 2
        }
    }

    static func type(code: Int) -> WatchEvent.EventType? {
        switch code {
        case 0: .added
        case 1: .modified
        case 2: .deleted
        default: nil
        }
    }

    /// The event a watcher with `filter` sees for this change, if any.
    func event(for filter: ObjectFilter) -> WatchEvent? {
        if let kind = filter.kind, kind != key.kind { return nil }
        if let namespace = filter.namespace, namespace != key.namespace { return nil }
        let revision = Revision(self.revision)
        if filter.selector.isEmpty {
            return WatchEvent(type: type, object: object, key: key, revision: revision)
        }
        let matchesNow = filter.selector.matches(ObjectMetadata.labels(object))
        guard type == .modified, let previous else {
            return matchesNow ? WatchEvent(type: type, object: object, key: key, revision: revision) : nil
        }
        let matchedBefore = filter.selector.matches(ObjectMetadata.labels(previous))
        switch (matchedBefore, matchesNow) {
        case (true, true):
            return WatchEvent(type: .modified, object: object, key: key, revision: revision)
        case (false, true):
            return WatchEvent(type: .added, object: object, key: key, revision: revision)
        case (true, false):
            var last = previous
            last[path: ["metadata", "resourceVersion"]] = .string(String(self.revision))
            return WatchEvent(type: .deleted, object: last, key: key, revision: revision)
        case (false, false):
            return nil
        }
    }
}
