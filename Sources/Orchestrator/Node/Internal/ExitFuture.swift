import Foundation
import Synchronization

/// A process exit as the monitor saw it.
struct ObservedExit: Sendable, Hashable {
    var status: ProcessExitStatus
    var time: Date
}

/// A one-shot value set once by the exit monitor's thread and awaited by any number of tasks.
///
/// Awaiting is not cancellable on purpose: a stop waits for the process to be gone, and SIGKILL guarantees that.
final class ExitFuture: Sendable {
    private enum State {
        case pending([CheckedContinuation<ObservedExit, Never>])
        case resolved(ObservedExit)
    }

    private let state = Mutex<State>(.pending([]))

    /// The exit, once known; nil while the process still runs.
    var current: ObservedExit? {
        state.withLock { state in
            if case .resolved(let exit) = state { return exit }
            return nil
        }
    }

    /// Waits until the process has exited.
    var value: ObservedExit {
        get async {
            await withCheckedContinuation { continuation in
                let ready: ObservedExit? = state.withLock { state in
                    switch state {
                    case .resolved(let exit):
                        return exit
                    case .pending(var waiters):
                        waiters.append(continuation)
                        state = .pending(waiters)
                        return nil
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    /// Sets the value and wakes every waiter; later calls are ignored.
    func resolve(_ exit: ObservedExit) {
        let waiters: [CheckedContinuation<ObservedExit, Never>] = state.withLock { state in
            guard case .pending(let waiters) = state else { return [] }
            state = .resolved(exit)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: exit) }
    }
}
