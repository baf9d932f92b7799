import Foundation

/// State behind a lock, for the short critical sections of the watch fan-out and the write queue.
///
/// `NSLock` rather than `Synchronization.Mutex` keeps the package's macOS 14 floor.
final class Locked<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    init(_ state: State) {
        self.state = state
    }

    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
