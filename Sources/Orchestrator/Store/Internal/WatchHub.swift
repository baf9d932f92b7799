import API
import Foundation
import GRDB
import Metrics

/// Fans the change log out to this process's watchers, in revision order, exactly once each.
///
/// Changes arrive two ways: this process's writer publishes what it committed (no database read, lowest
/// latency), and a poller notices other processes' commits (`PRAGMA data_version` on its own connection,
/// every `pollInterval`) and reads the new log rows. Both feed `ingest`, which only ever delivers the
/// revision after the last one delivered, so the two paths never reorder or duplicate events.
final class WatchHub: Sendable {
    private struct State {
        var lastDelivered: Int64
        var subscriptions: [ObjectIdentifier: Subscription] = [:]
        /// Open watches by kind (`*` for watches of every kind), for the `gitopsd_store_watches` gauge.
        var watchesByKind: [String: Int] = [:]
        var timer: (any DispatchSourceTimer)?
        var stopped = false
    }

    private let state: Locked<State>
    private let connection: DatabaseQueue
    private let pollQueue = DispatchQueue(label: "gitopsd.store.watch-poller", qos: .userInitiated)
    private let pollInterval: Duration
    private let lastDataVersion = Locked<Int64?>(nil)

    init(path: String, revision: Int64, configuration: SQLiteObjectStore.Configuration) throws {
        var config = Configuration()
        config.busyMode = .timeout(configuration.busyTimeout.seconds)
        config.label = "gitopsd.store.watch-poller"
        connection = try DatabaseQueue(path: path, configuration: config)
        pollInterval = configuration.pollInterval
        state = Locked(State(lastDelivered: revision))
    }

    /// Adds a watcher; returns the last revision already delivered (the watcher replays up to it from the
    /// log itself and receives every later change here).
    func register(_ subscription: Subscription) -> Int64 {
        state.withLock { state in
            state.subscriptions[ObjectIdentifier(subscription)] = subscription
            Self.count(subscription, by: 1, in: &state)
            if state.timer == nil && !state.stopped {
                let timer = DispatchSource.makeTimerSource(queue: pollQueue)
                let nanoseconds = Int(pollInterval.seconds * 1e9)
                timer.schedule(
                    deadline: .now(), repeating: .nanoseconds(nanoseconds), leeway: .nanoseconds(nanoseconds / 10))
                timer.setEventHandler { [weak self] in self?.poll(force: false) }
                timer.resume()
                state.timer = timer
            }
            return state.lastDelivered
        }
    }

    func unregister(_ subscription: Subscription) {
        state.withLock { state in
            guard state.subscriptions.removeValue(forKey: ObjectIdentifier(subscription)) != nil else { return }
            Self.count(subscription, by: -1, in: &state)
        }
    }

    /// `gitopsd_store_watches{kind}`: a shared informer holds one watch per kind for the whole process, so
    /// more than one for a kind means a part is watching on its own.
    private static func count(_ subscription: Subscription, by change: Int, in state: inout State) {
        let kind = subscription.filter.kind ?? "*"
        let count = state.watchesByKind[kind, default: 0] + change
        state.watchesByKind[kind] = count
        Gauge(label: "gitopsd_store_watches", dimensions: [("kind", kind)]).record(count)
    }

    /// Stops polling and ends every watch.
    func stop() {
        let subscriptions = state.withLock { state -> [Subscription] in
            state.stopped = true
            state.timer?.cancel()
            state.timer = nil
            for subscription in state.subscriptions.values { Self.count(subscription, by: -1, in: &state) }
            defer { state.subscriptions = [:] }
            return Array(state.subscriptions.values)
        }
        for subscription in subscriptions { subscription.cancel() }
    }

    /// Changes this process committed, in revision order.
    func publish(_ entries: [LogEntry]) {
        guard !entries.isEmpty else { return }
        if !ingest(entries, compacted: 0) {
            pollQueue.async { self.poll(force: true) }
        }
    }

    /// Delivers the entries that continue the sequence; returns false when a gap remains (another process
    /// wrote in between) so the caller fetches it from the log.
    @discardableResult
    private func ingest(_ entries: [LogEntry], compacted: Int64) -> Bool {
        state.withLock { state in
            if state.subscriptions.isEmpty {
                state.lastDelivered = max(state.lastDelivered, compacted, entries.last?.revision ?? 0)
                return true
            }
            if compacted > state.lastDelivered {
                // The rows after our position were compacted before we read them: watchers that needed them
                // must re-list.
                let error = StoreError.expired("the watch fell behind compaction (revision \(compacted)); re-list")
                for subscription in state.subscriptions.values where subscription.startAfter < compacted {
                    subscription.fail(error)
                }
                state.lastDelivered = compacted
            }
            for entry in entries where entry.revision > state.lastDelivered {
                guard entry.revision == state.lastDelivered + 1 else { return false }
                for subscription in state.subscriptions.values { subscription.offer(entry) }
                state.lastDelivered = entry.revision
            }
            return true
        }
    }

    /// Reads log rows after the last delivered revision when the database changed (or when forced).
    private func poll(force: Bool) {
        do {
            try connection.inDatabase { db in
                let version = try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
                let changed = lastDataVersion.withLock { last -> Bool in
                    defer { last = version }
                    return last != version
                }
                guard changed || force else { return }
                while true {
                    let (position, watched) = state.withLock { ($0.lastDelivered, !$0.subscriptions.isEmpty) }
                    if !watched {
                        let revision = try Schema.meta(db, "revision")
                        ingest([], compacted: revision)
                        return
                    }
                    var entries: [LogEntry] = []
                    var compacted: Int64 = 0
                    try db.inTransaction(.deferred) {
                        (entries, compacted) = try Self.readLog(db, after: position, through: nil, limit: 512)
                        return .commit
                    }
                    ingest(entries, compacted: compacted)
                    if entries.count < 512 { return }
                }
            }
        } catch {
            // A failed poll (database busy beyond the timeout) is retried at the next tick.
        }
    }

    /// Log rows after `revision` (up to `limit`, up to `through` when given), decoded, and the compacted
    /// revision. Call inside a transaction, so that the two agree.
    static func readLog(_ db: Database, after revision: Int64, through end: Int64?, limit: Int) throws
        -> ([LogEntry], Int64)
    {
        var entries: [LogEntry] = []
        let compacted = try Schema.meta(db, "compacted")
        do {
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT revision, type, kind, namespace, name, body, prev_body FROM log
                        WHERE revision > ? AND revision <= ? ORDER BY revision LIMIT ?
                        """),
                arguments: [revision, end ?? Int64.max, limit])
            while let row = try rows.next() {
                let key = ObjectKey(kind: row[2], namespace: row[3], name: row[4])
                guard let type = LogEntry.type(code: row[1]) else { continue }
                let body: Data = row[5]
                let previous: Data? = row[6]
                entries.append(
                    LogEntry(
                        revision: row[0], type: type, key: key, object: try StoreTransaction.decode(body, key: key),
                        previous: try previous.map { try StoreTransaction.decode($0, key: key) }))
            }
        }
        return (entries, compacted)
    }
}

/// A watch on the SQLite store: first the log rows between the requested revision and the hub's position
/// at registration (read page by page as the consumer asks, so a long replay needs no buffer), then the
/// subscription's live events.
final class SQLiteWatchSource: WatchSource {
    private struct Replay {
        var cursor: Int64
        let end: Int64
        var page: [WatchEvent] = []
        var pageIndex = 0
    }

    private let hub: WatchHub
    private let subscription: Subscription
    private let reader: DatabasePool
    private let replay: Locked<Replay?>

    init(hub: WatchHub, reader: DatabasePool, filter: ObjectFilter, from revision: Int64, capacity: Int) {
        self.hub = hub
        self.reader = reader
        subscription = Subscription(filter: filter, startAfter: revision, capacity: capacity)
        // Subscribe before replaying: everything after `position` is buffered from now on.
        let position = hub.register(subscription)
        replay = Locked(revision < position ? Replay(cursor: revision, end: position) : nil)
    }

    deinit {
        hub.unregister(subscription)
    }

    func cancel() {
        subscription.cancel()
        hub.unregister(subscription)
    }

    func next() async throws -> WatchEvent? {
        while true {
            if subscription.isCancelled { return nil }
            enum Step {
                case event(WatchEvent)
                case load(after: Int64, end: Int64)
                case live
            }
            let step = replay.withLock { replay -> Step in
                guard var current = replay else { return .live }
                defer { replay = current }
                if current.pageIndex < current.page.count {
                    current.pageIndex += 1
                    return .event(current.page[current.pageIndex - 1])
                }
                if current.cursor >= current.end { return .live }
                return .load(after: current.cursor, end: current.end)
            }
            switch step {
            case .event(let event):
                return event
            case .live:
                replay.withLock { $0 = nil }
                return try await subscription.next()
            case .load(let after, let end):
                let filter = subscription.filter
                let (events, last) = try await SQLiteObjectStore.mapErrors {
                    try await reader.read { db -> ([WatchEvent], Int64) in
                        let (entries, compacted) = try WatchHub.readLog(db, after: after, through: end, limit: 256)
                        if compacted > after {
                            throw StoreError.expired(
                                "resource version \(after) is too old (compacted through \(compacted)); re-list")
                        }
                        return (entries.compactMap { $0.event(for: filter) }, entries.last?.revision ?? end)
                    }
                }
                replay.withLock { replay in
                    replay?.page = events
                    replay?.pageIndex = 0
                    replay?.cursor = last
                }
            }
        }
    }
}
