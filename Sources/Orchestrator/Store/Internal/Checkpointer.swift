import Foundation
import GRDB

/// Moves the WAL back into the database file off the write path.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses the threshold, copying and syncing
/// megabytes while that write (and every write queued behind it) waits: the tail of write latency. The
/// store turns it off (`wal_autocheckpoint = 0`) and runs a PASSIVE checkpoint on its own connection and
/// queue every `interval` commits, and when the store closes. A passive checkpoint takes no write lock, so
/// writers of this and other processes keep committing meanwhile.
final class Checkpointer: Sendable {
    private struct State {
        var commits = 0
        var running = false
    }

    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "gitopsd.store.checkpoint", qos: .utility)
    private let interval: Int
    private let state = Locked(State())

    init(path: String, busyTimeout: Duration, interval: Int) throws {
        var config = Configuration()
        config.label = "gitopsd.store.checkpoint"
        config.busyMode = .timeout(busyTimeout.seconds)
        connection = try DatabaseQueue(path: path, configuration: config)
        self.interval = max(1, interval)
    }

    /// Counts a commit; starts a checkpoint in the background every `interval` commits.
    func committed() {
        let start = state.withLock { state -> Bool in
            state.commits += 1
            guard state.commits >= interval, !state.running else { return false }
            state.commits = 0
            state.running = true
            return true
        }
        if start { queue.async { self.checkpoint() } }
    }

    /// Runs a checkpoint now, on the caller's thread (closing).
    func checkpointNow() {
        queue.sync { checkpoint() }
    }

    private func checkpoint() {
        _ = try? connection.inDatabase { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
        state.withLock { $0.running = false }
    }
}
