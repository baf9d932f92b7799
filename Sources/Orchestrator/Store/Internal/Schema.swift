import GRDB

/// The SQLite schema (see docs/store.md), created idempotently inside the opener's IMMEDIATE transaction so
/// that several processes opening one new data directory at once agree on it.
enum Schema {
    static let version = 1

    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value INTEGER NOT NULL
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', \(version)), ('revision', 0), ('compacted', 0);
                CREATE TABLE IF NOT EXISTS objects (
                    kind TEXT NOT NULL,
                    namespace TEXT NOT NULL,
                    name TEXT NOT NULL,
                    uid TEXT NOT NULL UNIQUE,
                    revision INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    PRIMARY KEY (kind, namespace, name)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS objects_by_namespace ON objects (namespace);
                CREATE TABLE IF NOT EXISTS owner_refs (
                    owner_uid TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    namespace TEXT NOT NULL,
                    name TEXT NOT NULL,
                    PRIMARY KEY (owner_uid, kind, namespace, name)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS owner_refs_by_dependent ON owner_refs (kind, namespace, name);
                CREATE TABLE IF NOT EXISTS log (
                    revision INTEGER PRIMARY KEY,
                    type INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    namespace TEXT NOT NULL,
                    name TEXT NOT NULL,
                    body BLOB NOT NULL,
                    prev_body BLOB,
                    created_at REAL NOT NULL
                );
                CREATE TABLE IF NOT EXISTS events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    namespace TEXT NOT NULL,
                    name TEXT NOT NULL,
                    uid TEXT NOT NULL,
                    type TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    message TEXT NOT NULL,
                    source TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    first_timestamp REAL NOT NULL,
                    last_timestamp REAL NOT NULL
                );
                CREATE INDEX IF NOT EXISTS events_by_object ON events (kind, namespace, name, last_timestamp);
                """)
        let stored = try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema'") ?? 0
        if stored > version {
            throw StoreError(.io, "the data directory was written by a newer gitopsd (store schema \(stored))")
        }
    }

    static func meta(_ db: Database, _ key: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key]) ?? 0
    }

    static func setMeta(_ db: Database, _ key: String, _ value: Int64) throws {
        try db.cachedStatement(sql: "UPDATE meta SET value = ? WHERE key = ?").execute(arguments: [value, key])
    }
}
