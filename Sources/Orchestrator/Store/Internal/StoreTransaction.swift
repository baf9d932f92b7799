import API
import Foundation
import GRDB

/// The store's rules, applied inside one SQLite write transaction: keys and validation, server-owned
/// metadata, generation, status separation, preconditions, the change log, cascading deletes and events.
///
/// One instance lives for one batch of the group commit; it hands out revisions and collects the log
/// entries that the watch hub fans out once the transaction commits.
final class StoreTransaction {
    struct Stored {
        var object: Value
        var revision: Int64
        var uid: String
    }

    /// Where a failed operation rolls back to (its savepoint's counterpart in memory).
    struct Mark {
        var revision: Int64
        var entryCount: Int
    }

    let db: Database
    let configuration: SQLiteObjectStore.Configuration
    let now: Date
    private let startRevision: Int64
    private(set) var revision: Int64
    private(set) var entries: [LogEntry] = []

    private let cache: ObjectCache?

    init(
        db: Database, configuration: SQLiteObjectStore.Configuration, cache: ObjectCache? = nil, now: Date = Date()
    ) throws {
        self.db = db
        self.cache = cache
        self.configuration = configuration
        self.now = now
        revision = try Schema.meta(db, "revision")
        startRevision = revision
    }

    func mark() -> Mark { Mark(revision: revision, entryCount: entries.count) }

    func reset(to mark: Mark) {
        revision = mark.revision
        entries.removeSubrange(mark.entryCount...)
    }

    /// Writes the revision counter; call once before commit.
    func finish() throws {
        if revision != startRevision { try Schema.setMeta(db, "revision", revision) }
    }

    // MARK: Keys

    func isClusterScoped(_ kind: String) -> Bool { configuration.clusterScopedKinds.contains(kind) }

    /// The key an incoming object names; the namespace defaults to `default` for namespaced kinds and is
    /// dropped for cluster-scoped ones.
    func key(of object: Value) throws -> ObjectKey {
        guard case .object = object else { throw StoreError(.invalid, "an object must be a JSON object") }
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else {
            throw StoreError(.invalid, "kind is required")
        }
        guard let name = ObjectMetadata.string(object, "name"), !name.isEmpty else {
            throw StoreError(.invalid, "\(kind): metadata.name is required")
        }
        let namespace = isClusterScoped(kind) ? "" : (ObjectMetadata.string(object, "namespace") ?? "")
        let key = ObjectKey(
            kind: kind, namespace: namespace.isEmpty && !isClusterScoped(kind) ? "default" : namespace, name: name)
        if name.count > 253 || name == "." || name == ".." || name.contains("/") || name.contains("%") {
            throw StoreError(.invalid, "metadata.name \"\(name)\" is not a valid object name", key: key)
        }
        if let references = object[path: ["metadata", "ownerReferences"]], references.arrayValue == nil {
            throw StoreError(.invalid, "metadata.ownerReferences must be a list", key: key)
        }
        return key
    }

    /// Puts the key's namespace into `metadata.namespace` (or removes it for cluster-scoped kinds).
    private func normalise(_ object: inout Value, _ key: ObjectKey) {
        object[path: ["metadata", "namespace"]] = key.namespace.isEmpty ? nil : .string(key.namespace)
    }

    // MARK: Reads

    func load(_ key: ObjectKey) throws -> Stored? {
        let statement = try db.cachedStatement(
            sql: "SELECT body, revision, uid FROM objects WHERE kind = ? AND namespace = ? AND name = ?")
        guard let row = try Row.fetchOne(statement, arguments: [key.kind, key.namespace, key.name]) else {
            return nil
        }
        let revision: Int64 = row[1]
        if let object = cache?.object(key, revision: revision) {
            return Stored(object: object, revision: revision, uid: row[2])
        }
        let body: Data = row[0]
        return Stored(object: try Self.decode(body, key: key), revision: revision, uid: row[2])
    }

    func uidExists(_ uid: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM objects WHERE uid = ?"), arguments: [uid]) ?? false
    }

    static func decode(_ body: Data, key: ObjectKey?) throws -> Value {
        do {
            return try Value(json: body)
        } catch {
            throw StoreError(.io, "stored object is not valid JSON", key: key, cause: error.description)
        }
    }

    // MARK: Writes

    func create(_ object: Value) throws -> WriteResult {
        let input = try GeneratedName.assign(to: object) { name in
            var candidate = object
            candidate[path: ["metadata", "name"]] = .string(name)
            return try load(self.key(of: candidate)) != nil
        }
        let key = try key(of: input)
        if let version = ObjectMetadata.string(input, "resourceVersion"), !version.isEmpty {
            throw StoreError(.invalid, "resourceVersion should not be set on objects to be created", key: key)
        }
        if try load(key) != nil {
            throw StoreError(.alreadyExists, "\(key.kind.lowercased()) \"\(key.name)\" already exists", key: key)
        }
        if !key.namespace.isEmpty, try load(ObjectKey(kind: "Namespace", name: key.namespace)) == nil {
            throw StoreError(.namespaceNotFound, "namespace \"\(key.namespace)\" not found", key: key)
        }
        var object = input
        normalise(&object, key)
        try StoreAdmission.check(object, key: key)
        object["status"] = key.kind == "Namespace" ? ["phase": "Active"] : nil
        let uid = UUID().uuidString.lowercased()
        object[path: ["metadata", "uid"]] = .string(uid)
        object[path: ["metadata", "creationTimestamp"]] = .string(ObjectMetadata.timestamp(now))
        object[path: ["metadata", "generation"]] = .int(1)
        object[path: ["metadata", "deletionTimestamp"]] = nil
        let revision = try put(&object, key: key, uid: uid, type: .added, previous: nil)
        return WriteResult(outcome: .created, object: object, revision: Revision(revision))
    }

    /// An update (`statusOnly` false) replaces everything but status and server metadata; a status update
    /// replaces only status.
    func update(_ input: Value, statusOnly: Bool) throws -> WriteResult {
        let key = try key(of: input)
        guard let stored = try load(key) else { throw StoreError.notFound(key) }
        try checkPreconditions(
            resourceVersion: ObjectMetadata.string(input, "resourceVersion"),
            uid: ObjectMetadata.string(input, "uid"), stored: stored, key: key)
        return try update(key: key, stored: stored, statusOnly: statusOnly, input: input)
    }

    private func update(key: ObjectKey, stored: Stored, statusOnly: Bool, input: Value) throws -> WriteResult {
        var object: Value
        if statusOnly {
            object = stored.object
            object["status"] = input["status"]
        } else {
            object = input
            normalise(&object, key)
            object["status"] = stored.object["status"]
            for field in ["uid", "creationTimestamp", "generation", "resourceVersion", "deletionTimestamp"] {
                object[path: ["metadata", field]] = stored.object[path: ["metadata", field]]
            }
            try StoreAdmission.check(object, key: key)
        }
        if object == stored.object {
            return WriteResult(outcome: .unchanged, object: stored.object, revision: Revision(stored.revision))
        }
        if !statusOnly && desiredStateChanged(from: stored.object, to: object, kind: key.kind) {
            object[path: ["metadata", "generation"]] = .int(ObjectMetadata.generation(stored.object) + 1)
        }
        let revision = try put(&object, key: key, uid: stored.uid, type: .modified, previous: stored.object)
        return WriteResult(outcome: .configured, object: object, revision: Revision(revision))
    }

    func apply(_ input: Value) throws -> WriteResult {
        let key = try key(of: input)
        if try load(key) == nil { return try create(input) }
        return try update(input, statusOnly: false)
    }

    private func desiredStateChanged(from old: Value, to new: Value, kind: String) -> Bool {
        if ObjectMetadata.desiredState(old) != ObjectMetadata.desiredState(new) { return true }
        if configuration.kindsWithAnnotationGeneration.contains(kind) {
            return old[path: ["metadata", "annotations"]] != new[path: ["metadata", "annotations"]]
        }
        return false
    }

    private func checkPreconditions(resourceVersion: String?, uid: String?, stored: Stored, key: ObjectKey) throws {
        if let resourceVersion, !resourceVersion.isEmpty, resourceVersion != String(stored.revision) {
            throw StoreError.conflict(key)
        }
        if let uid, !uid.isEmpty, uid != stored.uid {
            throw StoreError(
                .conflict, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(stored.uid)",
                key: key)
        }
    }

    /// Takes the next revision and writes the object, its owner references and its log row.
    @discardableResult
    private func put(
        _ object: inout Value, key: ObjectKey, uid: String, type: WatchEvent.EventType, previous: Value?
    ) throws -> Int64 {
        revision += 1
        object[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        let body = Data(object.jsonBytes)
        if type == .added {
            try db.cachedStatement(
                sql: "INSERT INTO objects (kind, namespace, name, uid, revision, body) VALUES (?, ?, ?, ?, ?, ?)"
            ).execute(arguments: [key.kind, key.namespace, key.name, uid, revision, body])
        } else {
            try db.cachedStatement(
                sql: "UPDATE objects SET revision = ?, body = ? WHERE kind = ? AND namespace = ? AND name = ?"
            ).execute(arguments: [revision, body, key.kind, key.namespace, key.name])
        }
        cache?.store(key, revision: revision, object: object)
        let owners = ObjectMetadata.ownerUIDs(object)
        if previous.map(ObjectMetadata.ownerUIDs) != owners {
            try writeOwnerReferences(owners, of: key)
        }
        var labelledPrevious: Value? = nil
        if let previous, ObjectMetadata.labels(previous) != ObjectMetadata.labels(object) {
            labelledPrevious = previous
        }
        try appendLog(type: type, key: key, object: object, body: body, previous: labelledPrevious)
        return revision
    }

    private func writeOwnerReferences(_ owners: [String], of key: ObjectKey) throws {
        try db.cachedStatement(sql: "DELETE FROM owner_refs WHERE kind = ? AND namespace = ? AND name = ?")
            .execute(arguments: [key.kind, key.namespace, key.name])
        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO owner_refs (owner_uid, kind, namespace, name) VALUES (?, ?, ?, ?)")
        for owner in owners {
            try insert.execute(arguments: [owner, key.kind, key.namespace, key.name])
        }
    }

    private func appendLog(type: WatchEvent.EventType, key: ObjectKey, object: Value, body: Data, previous: Value?)
        throws
    {
        try db.cachedStatement(
            sql: """
                INSERT INTO log (revision, type, kind, namespace, name, body, prev_body, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            revision, LogEntry.typeCode(type), key.kind, key.namespace, key.name, body,
            previous.map { Data($0.jsonBytes) }, now.timeIntervalSince1970,
        ])
        entries.append(LogEntry(revision: revision, type: type, key: key, object: object, previous: previous))
    }

    // MARK: Deletes and garbage collection

    func delete(_ key: ObjectKey, options: DeleteOptions) throws -> WriteResult {
        guard let stored = try load(key) else { throw StoreError.notFound(key) }
        try checkPreconditions(
            resourceVersion: options.resourceVersion?.rawValue, uid: options.uid, stored: stored, key: key)
        if key.kind == "Namespace", configuration.protectedNamespaces.contains(key.name) {
            throw StoreError(.forbidden, "namespace \"\(key.name)\" may not be deleted", key: key)
        }
        var visited: Set<ObjectKey> = []
        let (last, revision) = try deleteCascading(
            key, stored: stored, propagation: options.propagation, visited: &visited)
        return WriteResult(outcome: .deleted, object: last, revision: Revision(revision))
    }

    /// Deletes one object and what depends on it. Background: the owner first, then dependents;
    /// foreground: dependents first; orphan: dependents lose the owner reference first. A Namespace's
    /// contents always go before the Namespace.
    private func deleteCascading(
        _ key: ObjectKey, stored: Stored, propagation: DeleteOptions.Propagation, visited: inout Set<ObjectKey>
    ) throws -> (Value, Int64) {
        visited.insert(key)
        switch propagation {
        case .orphan: try orphanDependents(of: stored.uid)
        case .foreground: try collectDependents(of: stored.uid, propagation: .foreground, visited: &visited)
        case .background: break
        }
        if key.kind == "Namespace" {
            let contents = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT kind, name FROM objects WHERE namespace = ? ORDER BY kind, name"),
                arguments: [key.name])
            for row in contents {
                let member = ObjectKey(kind: row[0], namespace: key.name, name: row[1])
                guard !visited.contains(member), let memberStored = try load(member) else { continue }
                _ = try deleteCascading(member, stored: memberStored, propagation: .background, visited: &visited)
            }
            try db.cachedStatement(sql: "DELETE FROM events WHERE namespace = ?").execute(arguments: [key.name])
        }
        let result = try remove(key, stored: stored)
        if propagation == .background {
            try collectDependents(of: stored.uid, propagation: .background, visited: &visited)
        }
        return result
    }

    private func remove(_ key: ObjectKey, stored: Stored) throws -> (Value, Int64) {
        revision += 1
        var last = stored.object
        last[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        let arguments: StatementArguments = [key.kind, key.namespace, key.name]
        try db.cachedStatement(sql: "DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?")
            .execute(arguments: arguments)
        cache?.remove(key)
        try db.cachedStatement(sql: "DELETE FROM owner_refs WHERE kind = ? AND namespace = ? AND name = ?")
            .execute(arguments: arguments)
        try db.cachedStatement(sql: "DELETE FROM events WHERE kind = ? AND namespace = ? AND name = ?")
            .execute(arguments: arguments)
        try appendLog(type: .deleted, key: key, object: last, body: Data(last.jsonBytes), previous: nil)
        return (last, revision)
    }

    private func dependents(of ownerUID: String) throws -> [ObjectKey] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT kind, namespace, name FROM owner_refs WHERE owner_uid = ? ORDER BY kind, namespace, name"),
            arguments: [ownerUID]
        ).map { ObjectKey(kind: $0[0], namespace: $0[1], name: $0[2]) }
    }

    /// Deletes the dependents of a (deleted or being deleted) owner whose owners are then all gone; the
    /// others only lose their dangling references, as Kubernetes' garbage collector does.
    private func collectDependents(
        of ownerUID: String, propagation: DeleteOptions.Propagation, visited: inout Set<ObjectKey>
    ) throws {
        for dependent in try dependents(of: ownerUID) where !visited.contains(dependent) {
            guard let stored = try load(dependent) else { continue }
            try collect(dependent, stored: stored, goneOwner: ownerUID, propagation: propagation, visited: &visited)
        }
    }

    private func collect(
        _ key: ObjectKey, stored: Stored, goneOwner: String?, propagation: DeleteOptions.Propagation,
        visited: inout Set<ObjectKey>
    ) throws {
        var living: Set<String> = []
        for owner in ObjectMetadata.ownerUIDs(stored.object) where owner != goneOwner {
            if try uidExists(owner) { living.insert(owner) }
        }
        if living.isEmpty {
            _ = try deleteCascading(key, stored: stored, propagation: propagation, visited: &visited)
        } else {
            try removeOwnerReferences(from: key, stored: stored) { !living.contains($0) }
        }
    }

    private func orphanDependents(of ownerUID: String) throws {
        for dependent in try dependents(of: ownerUID) {
            guard let stored = try load(dependent) else { continue }
            try removeOwnerReferences(from: dependent, stored: stored) { $0 == ownerUID }
        }
    }

    private func removeOwnerReferences(from key: ObjectKey, stored: Stored, where shouldRemove: (String) -> Bool)
        throws
    {
        var object = stored.object
        let references = object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
        let kept = references.filter { reference in
            guard let uid = reference["uid"]?.stringValue else { return true }
            return !shouldRemove(uid)
        }
        guard kept.count != references.count else { return }
        object[path: ["metadata", "ownerReferences"]] = kept.isEmpty ? nil : .array(kept)
        try put(&object, key: key, uid: stored.uid, type: .modified, previous: stored.object)
    }

    /// One pass of the garbage collector: objects whose owners are all gone are deleted (background), and
    /// references to missing owners are removed from objects that still have a living owner.
    func collectGarbage() throws -> Int {
        let orphans = try Row.fetchAll(
            db,
            sql: """
                SELECT DISTINCT r.kind, r.namespace, r.name FROM owner_refs r
                WHERE NOT EXISTS (SELECT 1 FROM objects o WHERE o.uid = r.owner_uid)
                ORDER BY r.kind, r.namespace, r.name
                """
        ).map { ObjectKey(kind: $0[0], namespace: $0[1], name: $0[2]) }
        var visited: Set<ObjectKey> = []
        let before = revision
        for key in orphans where !visited.contains(key) {
            guard let stored = try load(key) else { continue }
            try collect(key, stored: stored, goneOwner: nil, propagation: .background, visited: &visited)
        }
        return Int(revision - before)
    }

    // MARK: Compaction

    /// Drops log rows up to `target` (clamped to the current revision); watches from before it expire.
    func compact(through target: Int64) throws {
        let target = min(target, revision)
        guard target > (try Schema.meta(db, "compacted")) else { return }
        try db.execute(sql: "DELETE FROM log WHERE revision <= ?", arguments: [target])
        try Schema.setMeta(db, "compacted", target)
    }

    /// The scheduled compaction: rows both older than `retention` and more than `retainedRevisions` behind.
    func compactOnSchedule() throws {
        let byCount = revision - Int64(configuration.retainedRevisions)
        guard byCount > 0 else { return }
        let cutoff = now.timeIntervalSince1970 - configuration.retention.seconds
        let byTime = try Int64.fetchOne(
            db, sql: "SELECT max(revision) FROM log WHERE created_at < ? AND revision <= ?",
            arguments: [cutoff, byCount])
        if let byTime { try compact(through: byTime) }
    }

    // MARK: Events

    func record(_ event: ObjectEvent) throws {
        let key = event.involvedObject
        let uid =
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT uid FROM objects WHERE kind = ? AND namespace = ? AND name = ?"),
                arguments: [key.kind, key.namespace, key.name]) ?? ""
        let time = now.timeIntervalSince1970
        try db.cachedStatement(
            sql: """
                UPDATE events SET count = count + 1, last_timestamp = ?
                WHERE kind = ? AND namespace = ? AND name = ? AND uid = ? AND type = ? AND reason = ?
                  AND message = ? AND source = ?
                """
        ).execute(arguments: [
            time, key.kind, key.namespace, key.name, uid, event.type.rawValue, event.reason, event.message,
            event.source,
        ])
        guard db.changesCount == 0 else { return }
        try db.cachedStatement(
            sql: """
                INSERT INTO events (kind, namespace, name, uid, type, reason, message, source, count,
                                    first_timestamp, last_timestamp)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                """
        ).execute(arguments: [
            key.kind, key.namespace, key.name, uid, event.type.rawValue, event.reason, event.message,
            event.source, time, time,
        ])
        try db.cachedStatement(
            sql: """
                DELETE FROM events WHERE id IN (
                    SELECT id FROM events WHERE kind = ? AND namespace = ? AND name = ?
                    ORDER BY last_timestamp DESC, id DESC LIMIT -1 OFFSET ?)
                """
        ).execute(arguments: [key.kind, key.namespace, key.name, configuration.maxEventsPerObject])
    }

    /// Keeps the newest `maxEvents` events overall.
    func pruneEvents() throws {
        try db.execute(
            sql:
                "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY last_timestamp DESC, id DESC LIMIT -1 OFFSET ?)",
            arguments: [configuration.maxEvents])
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
