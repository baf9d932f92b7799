import Metrics

/// What a reconcile asks the loop to do next.
public enum ReconcileResult: Sendable, Equatable {
    /// The world matches the object; nothing more until something changes.
    case done
    /// Look again after this delay (waiting for a timer: minReadySeconds, a progress deadline, ...).
    case requeue(after: Duration)
}

/// Runs workers that take keys from a `WorkQueue` and reconcile them.
///
/// A thrown error retries the key with back-off, unless it is a ``ReconcileFailure`` that says to wait for a
/// change or to stop; `.requeue(after:)` schedules a look without counting a failure. Each worker catches its own
/// errors so one bad object never stops the loop.
public struct ControllerRunner<Key: Hashable & Sendable>: Sendable {
    public let name: String
    public let queue: WorkQueue<Key>
    public let workers: Int
    private let reconcile: @Sendable (Key) async throws -> ReconcileResult
    private let onError: @Sendable (Key, any Error, ReconcileFailure.Next) -> Void
    /// `gitopsd_controller_queue_depth{controller}`: keys waiting, sampled as each one is taken.
    private let depth: Gauge

    /// - Parameters:
    ///   - name: Used in logs and metrics.
    ///   - workers: How many keys are reconciled at once (never the same key twice).
    ///   - reconcile: Brings the world in line with the key's object; must be idempotent.
    ///   - onError: Told about each failed reconcile, and what happens next, before the retry (if any) is
    ///     scheduled.
    public init(
        name: String, queue: WorkQueue<Key>, workers: Int = 2,
        reconcile: @escaping @Sendable (Key) async throws -> ReconcileResult,
        onError: @escaping @Sendable (Key, any Error, ReconcileFailure.Next) -> Void = { _, _, _ in }
    ) {
        self.name = name
        self.queue = queue
        self.workers = workers
        self.reconcile = reconcile
        self.onError = onError
        self.depth = Gauge(label: "gitopsd_controller_queue_depth", dimensions: [("controller", name)])
    }

    /// Runs the workers until the queue is shut down or the task is cancelled.
    public func run() async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for _ in 0..<max(1, workers) {
                    group.addTask { await work() }
                }
            }
        } onCancel: {
            Task { await queue.shutDown() }
        }
    }

    private func work() async {
        while let key = await queue.next() {
            depth.record(await queue.depth)
            do {
                switch try await reconcile(key) {
                case .done:
                    await queue.forget(key)
                case .requeue(let delay):
                    await queue.forget(key)
                    await queue.add(key, after: delay)
                }
            } catch {
                let next = (error as? ReconcileFailure)?.next ?? .retry
                onError(key, error, next)
                switch next {
                case .retry: await queue.addRateLimited(key)
                case .waitForChange, .stop: await queue.forget(key)
                }
            }
            await queue.done(key)
        }
    }
}
