import API

/// One watcher's live side: a bounded buffer the hub fills without ever waiting, and the consumer drains.
///
/// When the buffer is full the watcher is ended with `.expired` (it re-lists) rather than slowing writers.
final class Subscription: Sendable {
    private struct State {
        var buffer: [WatchEvent] = []
        var head = 0
        var waiter: CheckedContinuation<WatchEvent?, any Error>?
        var failure: StoreError?
        var failureReported = false
        var cancelled = false

        var count: Int { buffer.count - head }

        mutating func pop() -> WatchEvent? {
            guard head < buffer.count else { return nil }
            let event = buffer[head]
            head += 1
            if head > 1024 && head * 2 > buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return event
        }
    }

    let filter: ObjectFilter
    /// The watch delivers changes strictly after this revision.
    let startAfter: Int64
    let capacity: Int
    private let state = Locked(State())

    init(filter: ObjectFilter, startAfter: Int64, capacity: Int) {
        self.filter = filter
        self.startAfter = startAfter
        self.capacity = max(1, capacity)
    }

    /// Called by the hub, in revision order, for every change after the hub's position at registration.
    func offer(_ entry: LogEntry) {
        guard entry.revision > startAfter, let event = entry.event(for: filter) else { return }
        let waiter = state.withLock { state -> CheckedContinuation<WatchEvent?, any Error>? in
            guard !state.cancelled, state.failure == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.count >= capacity {
                state.failure = .expired("the watcher fell more than \(capacity) events behind; re-list")
            } else {
                state.buffer.append(event)
            }
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// Ends the watch with an error (after the events already buffered).
    func fail(_ error: StoreError) {
        let waiter = state.withLock { state -> CheckedContinuation<WatchEvent?, any Error>? in
            guard !state.cancelled, state.failure == nil else { return nil }
            state.failure = error
            guard state.count == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.failureReported = true
            return waiter
        }
        waiter?.resume(throwing: error)
    }

    func cancel() {
        let waiter = state.withLock { state -> CheckedContinuation<WatchEvent?, any Error>? in
            state.cancelled = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    func next() async throws -> WatchEvent? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WatchEvent?, any Error>) in
                enum Action {
                    case event(WatchEvent?)
                    case failure(StoreError)
                    case wait
                }
                let action = state.withLock { state -> Action in
                    if state.cancelled { return .event(nil) }
                    if let event = state.pop() { return .event(event) }
                    if let failure = state.failure {
                        if state.failureReported { return .event(nil) }
                        state.failureReported = true
                        return .failure(failure)
                    }
                    state.waiter = continuation
                    return .wait
                }
                switch action {
                case .event(let event): continuation.resume(returning: event)
                case .failure(let error): continuation.resume(throwing: error)
                case .wait: break
                }
            }
        } onCancel: {
            cancel()
        }
    }
}
