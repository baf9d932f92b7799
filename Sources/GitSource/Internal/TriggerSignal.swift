import Synchronization

/// A wake-up call that can be waited for with a time limit, any number of times.
///
/// `fire()` wakes the current waiter, or is remembered (once) for the next wait when nobody waits. Unlike an
/// `AsyncStream`, which finishes for good when a task waiting on it is cancelled, a wait that is cancelled or
/// times out leaves the signal usable for the next one.
final class TriggerSignal: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var pending = false
        var waiter: Waiter?
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or the next one to wait. Safe from any thread.
    func fire() {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume()
    }

    /// Returns when fired (at once if a call came while nobody waited), after `timeout`, or when the task is
    /// cancelled, whichever comes first. One waiter at a time.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.next() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Waits until fired or cancelled.
    private func next() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    // Cancelled before the waiter was registered: the handler below found nothing to resume.
                    if Task.isCancelled { return true }
                    state.waiter = Waiter(id: id, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter
            }
            waiter?.continuation.resume()
        }
    }
}
