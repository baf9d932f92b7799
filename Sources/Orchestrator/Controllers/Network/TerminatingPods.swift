import Foundation

/// The uids of pods the node is terminating: their addresses leave every endpoint list, proxy table and Ingress
/// table at once, whatever the store still says.
///
/// The store deletes a pod at once, so normally the `DELETED` event removes it too; this set covers the moments
/// before the informers have seen that event, and `Kubelet.shutdown(keepWorkloads: false)`, which terminates pods
/// that stay in the store. Pod uids are never reused, so an entry can only be stale, never wrong; entries are
/// forgotten after `retention`.
final class TerminatingPods: Sendable {
    private let state = Locked<[String: ContinuousClock.Instant]>([:])
    private let retention: Duration

    init(retention: Duration = .seconds(600)) {
        self.retention = retention
    }

    /// Marks a pod as terminating.
    func insert(_ uid: String) {
        let now = ContinuousClock.now
        let retention = self.retention
        state.withLock { entries in
            entries[uid] = now
            entries = entries.filter { now - $0.value < retention }
        }
    }

    /// Whether the pod with this uid is terminating.
    func contains(_ uid: String?) -> Bool {
        guard let uid, !uid.isEmpty else { return false }
        return state.withLock { $0[uid] != nil }
    }
}

/// Counts the passes of a controller's single "sync the data plane" key, so a caller can wait until a pass that
/// started after its request has finished (the pod-termination hook: "the tables no longer list this pod").
final class PassCounter: Sendable {
    private struct Waiter {
        var id: UInt64
        var target: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var started: UInt64 = 0
        var completed: UInt64 = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state = Locked(State())

    /// Called when a pass starts; returns its number (pass on it to `end`).
    func begin() -> UInt64 {
        state.withLock { state in
            state.started += 1
            return state.started
        }
    }

    /// Called when pass `number` has finished (also when it failed: the next pass will be a new one).
    func end(_ number: UInt64) {
        let ready = state.withLock { state -> [Waiter] in
            state.completed = max(state.completed, number)
            let completed = state.completed
            let ready = state.waiters.filter { $0.target <= completed }
            state.waiters.removeAll { $0.target <= completed }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// The number the next pass will have: a pass with this number or higher starts after this call.
    func nextPass() -> UInt64 {
        state.withLock { $0.started + 1 }
    }

    /// Waits until pass `target` (or a later one) has finished, or `timeout` passed, or the task is cancelled.
    /// - Returns: Whether the pass finished.
    @discardableResult
    func wait(forPass target: UInt64, timeout: Duration) async -> Bool {
        if isCompleted(target) { return true }
        await waitAtMost(timeout) { await self.suspend(until: target) }
        return isCompleted(target)
    }

    private func isCompleted(_ target: UInt64) -> Bool {
        state.withLock { $0.completed >= target }
    }

    private func suspend(until target: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if Task.isCancelled || state.completed >= target { return true }
                    state.waiters.append(Waiter(id: id, target: target, continuation: continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume()
        }
    }
}

/// Remembers which warnings were recorded as events while this process runs, so a problem that persists across
/// many reconciles is recorded once (and again after it cleared and came back).
final class EventMemory: Sendable {
    private let state = Locked<[ObjectKeyAndUID: Set<String>]>([:])

    struct ObjectKeyAndUID: Hashable {
        var key: String
        var uid: String
    }

    /// Replaces the set of current problems of an object; returns those not recorded before.
    func update(key: String, uid: String, current: Set<String>) -> Set<String> {
        state.withLock { state in
            let id = ObjectKeyAndUID(key: key, uid: uid)
            let previous = state[id] ?? []
            state[id] = current.isEmpty ? nil : current
            return current.subtracting(previous)
        }
    }

    /// Forgets an object (deleted).
    func forget(key: String) {
        state.withLock { state in state = state.filter { $0.key.key != key } }
    }
}
