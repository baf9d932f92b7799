import Foundation
import GRDB

/// Group commit: writes submitted while a transaction is in flight wait, then run together in the next one.
///
/// Each operation runs inside its own savepoint, so a rule violation (conflict, not found) rolls back that
/// operation only; the batch commits once, with one WAL sync, and then every operation is acknowledged.
/// A failure of the transaction itself (I/O, disk full) fails every operation of the batch. All SQLite work
/// happens on one serial dispatch queue, off the cooperative thread pool.
final class WriteBatcher: Sendable {
    private struct Pending: Sendable {
        /// Runs the operation; returns the acknowledgement to call once the batch committed.
        let run: @Sendable (StoreTransaction) throws -> (@Sendable () -> Void)
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var pending: [Pending] = []
        var draining = false
        var lastMaintenance = Date()
        var closed = false
    }

    private let pool: DatabasePool
    private let configuration: SQLiteObjectStore.Configuration
    private let hub: WatchHub
    private let checkpointer: Checkpointer
    private let queue = DispatchQueue(label: "gitopsd.store.writer", qos: .userInitiated)
    private let state = Locked(State())
    /// Used only on `queue`.
    private let cache = ObjectCache()

    init(
        pool: DatabasePool, configuration: SQLiteObjectStore.Configuration, hub: WatchHub, checkpointer: Checkpointer
    ) {
        self.pool = pool
        self.configuration = configuration
        self.hub = hub
        self.checkpointer = checkpointer
    }

    /// Runs `operation` in the next batch and returns its result once the batch is durable.
    func submit<T: Sendable>(_ operation: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let pending = Pending(
                run: { transaction in
                    let value = try operation(transaction)
                    return { continuation.resume(returning: value) }
                },
                fail: { continuation.resume(throwing: $0) })
            let (start, closed) = state.withLock { state -> (Bool, Bool) in
                if state.closed { return (false, true) }
                state.pending.append(pending)
                if state.draining { return (false, false) }
                state.draining = true
                return (true, false)
            }
            if closed {
                continuation.resume(throwing: StoreError(.closed, "the store was closed"))
            } else if start {
                queue.async { self.drain() }
            }
        }
    }

    func close() {
        let orphaned = state.withLock { state -> [Pending] in
            state.closed = true
            defer { state.pending = [] }
            return state.pending
        }
        for pending in orphaned { pending.fail(StoreError(.closed, "the store was closed")) }
    }

    private func drain() {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let count = min(state.pending.count, configuration.maxBatchSize)
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            run(batch)
            runMaintenanceIfDue()
        }
    }

    private func run(_ batch: [Pending]) {
        var acknowledgements: [@Sendable () -> Void] = []
        var failures: [(Pending, any Error)] = []
        var entries: [LogEntry] = []
        do {
            try transaction { transaction in
                let db = transaction.db
                for pending in batch {
                    let mark = transaction.mark()
                    try db.execute(sql: "SAVEPOINT operation")
                    do {
                        acknowledgements.append(try pending.run(transaction))
                        try db.execute(sql: "RELEASE operation")
                    } catch let error as StoreError where error.code != .io {
                        try db.execute(sql: "ROLLBACK TO operation; RELEASE operation")
                        cache.clear()
                        transaction.reset(to: mark)
                        failures.append((pending, error))
                    }
                }
                entries = transaction.entries
            }
        } catch {
            let failure = SQLiteObjectStore.storeError(error)
            for pending in batch { pending.fail(failure) }
            return
        }
        if !entries.isEmpty { hub.publish(entries) }
        for acknowledge in acknowledgements { acknowledge() }
        for (pending, error) in failures { pending.fail(error) }
    }

    /// One IMMEDIATE transaction (the write lock is taken up front, waiting up to the busy timeout for other
    /// processes), committed with a WAL sync.
    private func transaction(_ body: (StoreTransaction) throws -> Void) throws {
        try pool.writeWithoutTransaction { db in
            try db.beginTransaction(.immediate)
            do {
                let transaction = try StoreTransaction(db: db, configuration: configuration, cache: cache)
                try body(transaction)
                try transaction.finish()
                try db.commit()
                checkpointer.committed()
            } catch {
                cache.clear()
                if db.isInsideTransaction { try? db.rollback() }
                throw error
            }
        }
    }

    private func runMaintenanceIfDue() {
        guard let interval = configuration.maintenanceInterval else { return }
        let due = state.withLock { state -> Bool in
            guard Date().timeIntervalSince(state.lastMaintenance) >= interval.seconds else { return false }
            state.lastMaintenance = Date()
            return true
        }
        if due { _ = try? maintain() }
    }

    /// Compaction on schedule, one garbage-collection pass and event pruning, in one transaction.
    @discardableResult
    func maintain() throws -> Int {
        var entries: [LogEntry] = []
        var collected = 0
        try transaction { transaction in
            collected = try transaction.collectGarbage()
            try transaction.compactOnSchedule()
            try transaction.pruneEvents()
            entries = transaction.entries
        }
        if !entries.isEmpty { hub.publish(entries) }
        return collected
    }

    /// Runs `body` in a transaction of its own on the writer queue (maintenance calls from the public API).
    func exclusive<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            queue.async {
                do {
                    var result: T?
                    var entries: [LogEntry] = []
                    try self.transaction { transaction in
                        result = try body(transaction)
                        entries = transaction.entries
                    }
                    if !entries.isEmpty { self.hub.publish(entries) }
                    guard let result else { preconditionFailure("a committed transaction ran its body") }
                    continuation.resume(returning: result)
                } catch {
                    continuation.resume(throwing: SQLiteObjectStore.storeError(error))
                }
            }
        }
    }
}
