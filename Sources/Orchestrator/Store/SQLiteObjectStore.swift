public import API
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The object store on one machine: SQLite (through GRDB) in `<data-dir>/state.db`, WAL mode, one global
/// revision, group commit, and watches fed from an append-only change log. See docs/store.md.
///
/// Durability: every connection runs with `synchronous = FULL`, so in WAL mode each commit syncs the WAL
/// before it returns; a write is acknowledged only after its commit returned. Several processes may open
/// the same data directory: writes take the write lock up front (`BEGIN IMMEDIATE`, waiting up to
/// `busyTimeout`), and each instance with watchers notices other processes' commits within `pollInterval`.
///
/// The type is `Sendable`; call it from any task. Reads run on GRDB's reader pool, writes on one serial
/// queue, never on the cooperative thread pool.
public final class SQLiteObjectStore: ObjectStore {
    /// The database file.
    public let path: String
    public let configuration: Configuration
    private let pool: DatabasePool
    private let hub: WatchHub
    private let writer: WriteBatcher
    private let checkpointer: Checkpointer
    private let temporaryDirectory: String?

    /// Opens (creating when needed) the store in `dataDirectory`, and creates the `default` namespace on
    /// first open.
    /// - Throws: `StoreError` `.io` when the directory or database cannot be opened.
    public convenience init(dataDirectory: String, configuration: Configuration = Configuration()) throws {
        try self.init(dataDirectory: dataDirectory, configuration: configuration, temporary: false)
    }

    /// A store in a new temporary directory, removed when the store is released (for tests).
    public static func temporary(configuration: Configuration = Configuration()) throws -> SQLiteObjectStore {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gitopsd-store-\(UUID().uuidString)").path
        return try SQLiteObjectStore(dataDirectory: directory, configuration: configuration, temporary: true)
    }

    private init(dataDirectory: String, configuration: Configuration, temporary: Bool) throws {
        self.configuration = configuration
        temporaryDirectory = temporary ? dataDirectory : nil
        path = URL(fileURLWithPath: dataDirectory).appendingPathComponent("state.db").path
        do {
            try Self.makePrivate(dataDirectory: dataDirectory, database: path)
            var config = GRDB.Configuration()
            config.label = "gitopsd.store"
            config.busyMode = .timeout(configuration.busyTimeout.seconds)
            config.prepareDatabase { db in
                // FULL: in WAL mode, each commit syncs the WAL, so an acknowledged write survives power loss
                // (NORMAL would only survive a process crash).
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // Checkpoints run in the background (Checkpointer), not inside a commit.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            }
            pool = try DatabasePool(path: path, configuration: config)
            let revision = try pool.writeWithoutTransaction { db -> Int64 in
                try db.beginTransaction(.immediate)
                do {
                    try Schema.create(db)
                    let transaction = try StoreTransaction(db: db, configuration: configuration)
                    if try transaction.load(ObjectKey(kind: "Namespace", name: "default")) == nil {
                        _ = try transaction.create([
                            "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "default"],
                        ])
                    }
                    try transaction.finish()
                    try db.commit()
                    return transaction.revision
                } catch {
                    try? db.rollback()
                    throw error
                }
            }
            hub = try WatchHub(path: path, revision: revision, configuration: configuration)
            checkpointer = try Checkpointer(
                path: path, busyTimeout: configuration.busyTimeout, interval: configuration.checkpointInterval)
            writer = WriteBatcher(pool: pool, configuration: configuration, hub: hub, checkpointer: checkpointer)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Makes the data directory owner-only (0700) and the database owner-only (0600) before SQLite opens it.
    ///
    /// The store holds Secrets, so no other local user may read it. A directory a user made with wider permissions
    /// is narrowed: with 0700 on the directory nothing under it (mirrors, logs, history) is reachable by others.
    /// SQLite gives the `-wal` and `-shm` files the database file's permissions, so creating the database 0600
    /// here covers them; files left by an older version are narrowed as well.
    private static func makePrivate(dataDirectory: String, database: String) throws {
        try FileManager.default.createDirectory(
            atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard chmod(dataDirectory, 0o700) == 0 else {
            throw StoreError(.io, "cannot make \(dataDirectory) owner-only", cause: String(cString: strerror(errno)))
        }
        let descriptor = open(database, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(.io, "cannot create \(database)", cause: String(cString: strerror(errno)))
        }
        Glibc.close(descriptor)
        for file in [database, database + "-wal", database + "-shm"] where access(file, F_OK) == 0 {
            chmod(file, 0o600)
        }
    }

    deinit {
        hub.stop()
        writer.close()
        checkpointer.checkpointNow()
        if let temporaryDirectory { try? FileManager.default.removeItem(atPath: temporaryDirectory) }
    }

    /// Ends every watch of this instance and fails later writes with `.closed`.
    public func close() {
        hub.stop()
        writer.close()
        checkpointer.checkpointNow()
    }

    // MARK: ObjectStore

    public func currentRevision() async throws -> Revision {
        try await read { db in Revision(try Schema.meta(db, "revision")) }
    }

    public func get(_ key: ObjectKey) async throws -> Value {
        let key = normalised(key)
        return try await read { db in
            let body = try Data.fetchOne(
                db.cachedStatement(sql: "SELECT body FROM objects WHERE kind = ? AND namespace = ? AND name = ?"),
                arguments: [key.kind, key.namespace, key.name])
            guard let body else { throw StoreError.notFound(key) }
            return try StoreTransaction.decode(body, key: key)
        }
    }

    public func list(_ filter: ObjectFilter) async throws -> ObjectList {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let kind = filter.kind {
            conditions.append("kind = ?")
            _ = arguments.append(contentsOf: [kind])
        }
        if let namespace = filter.namespace {
            conditions.append("namespace = ?")
            _ = arguments.append(contentsOf: [namespace])
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT kind, namespace, name, body FROM objects \(whereClause) ORDER BY kind, namespace, name"
        let selector = filter.selector
        return try await read { [arguments] db in
            let revision = try Schema.meta(db, "revision")
            var items: [Value] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            while let row = try rows.next() {
                let body: Data = row[3]
                let object = try StoreTransaction.decode(
                    body, key: ObjectKey(kind: row[0], namespace: row[1], name: row[2]))
                if selector.isEmpty || selector.matches(ObjectMetadata.labels(object)) { items.append(object) }
            }
            return ObjectList(items: items, revision: Revision(revision))
        }
    }

    public func create(_ object: Value) async throws -> WriteResult {
        try await writer.submit { try $0.create(object) }
    }

    public func update(_ object: Value) async throws -> WriteResult {
        try await writer.submit { try $0.update(object, statusOnly: false) }
    }

    public func updateStatus(_ object: Value) async throws -> WriteResult {
        try await writer.submit { try $0.update(object, statusOnly: true) }
    }

    public func apply(_ object: Value) async throws -> WriteResult {
        try await writer.submit { try $0.apply(object) }
    }

    public func delete(_ key: ObjectKey, options: DeleteOptions) async throws -> WriteResult {
        let key = normalised(key)
        return try await writer.submit { try $0.delete(key, options: options) }
    }

    public func commit(_ writes: [StoreWrite]) async throws -> [WriteResult] {
        let writes = writes.map { write -> StoreWrite in
            if case .delete(let key, let options) = write { return .delete(normalised(key), options: options) }
            return write
        }
        // One submitted operation runs in one savepoint: a failure anywhere rolls back every write before it.
        return try await writer.submit { transaction in
            try writes.map { write in
                switch write {
                case .create(let object):
                    return try transaction.create(object)
                case .update(var object, let resourceVersion):
                    object[path: ["metadata", "resourceVersion"]] = .string(resourceVersion.rawValue)
                    return try transaction.update(object, statusOnly: false)
                case .delete(let key, let options):
                    return try transaction.delete(key, options: options)
                }
            }
        }
    }

    public func watch(_ filter: ObjectFilter, from revision: Revision?) async throws -> WatchStream {
        let start: Int64
        if let revision {
            start = revision.value
        } else {
            start = try await currentRevision().value
        }
        let source = SQLiteWatchSource(
            hub: hub, reader: pool, filter: filter, from: start, capacity: configuration.watchBufferSize)
        return WatchStream(source)
    }

    public func recordEvent(_ event: ObjectEvent) async throws {
        var event = event
        event.involvedObject = normalised(event.involvedObject)
        try await writer.submit { [event] in try $0.record(event) }
    }

    public func events(for key: ObjectKey) async throws -> [ObjectEvent] {
        let key = normalised(key)
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT type, reason, message, source, count, first_timestamp, last_timestamp FROM events
                    WHERE kind = ? AND namespace = ? AND name = ? ORDER BY first_timestamp, id
                    """,
                arguments: [key.kind, key.namespace, key.name]
            ).map { row in
                ObjectEvent(
                    involvedObject: key, reason: row[1], message: row[2],
                    type: ObjectEvent.EventType(rawValue: row[0]) ?? .normal, source: row[3], count: row[4],
                    firstTimestamp: Date(timeIntervalSince1970: row[5]),
                    lastTimestamp: Date(timeIntervalSince1970: row[6]))
            }
        }
    }

    // MARK: Maintenance

    /// The oldest revision a watch may start from (history up to it was compacted).
    public func compactedRevision() async throws -> Revision {
        try await read { db in Revision(try Schema.meta(db, "compacted")) }
    }

    /// Drops the change history through `revision`; watches from before it then fail with `.expired`.
    public func compact(through revision: Revision) async throws {
        try await writer.exclusive { try $0.compact(through: revision.value) }
    }

    /// One garbage-collection pass: deletes objects all of whose owners are gone, and strips references to
    /// missing owners from the others. Returns the number of changes made. Runs on the maintenance schedule
    /// too.
    @discardableResult
    public func collectGarbage() async throws -> Int {
        try await writer.exclusive { try $0.collectGarbage() }
    }

    /// Runs `PRAGMA integrity_check`; returns SQLite's findings (`["ok"]` when the file is sound).
    public func integrityCheck() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    // MARK: Helpers

    /// Keys name `default` for namespaced kinds given no namespace, and no namespace for cluster-scoped ones.
    private func normalised(_ key: ObjectKey) -> ObjectKey {
        var key = key
        if configuration.clusterScopedKinds.contains(key.kind) {
            key.namespace = ""
        } else if key.namespace.isEmpty {
            key.namespace = "default"
        }
        return key
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await Self.mapErrors { try await pool.read(body) }
    }

    static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw storeError(error)
        }
    }

    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            return StoreError(.io, "SQLite failed", cause: "\(error.resultCode): \(error.message ?? "")")
        }
        return StoreError(.io, "store operation failed", cause: "\(error)")
    }
}
