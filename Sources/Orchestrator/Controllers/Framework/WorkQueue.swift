/// A work queue of keys with the guarantees controllers rely on (those of client-go's queue):
///
/// - a key added several times before it is processed is processed once (de-duplication);
/// - a key is never handed to two workers at once;
/// - a key added while it is being processed is processed again afterwards (no change is lost);
/// - failures are retried with per-key exponential back-off, reset by `forget(_:)`.
///
/// Controllers are level-triggered: the key says *what* to look at, never *what changed*, so collapsing
/// several adds into one is always safe.
public actor WorkQueue<Key: Hashable & Sendable> {
    /// Retry timing for `addRateLimited(_:)`.
    public struct Configuration: Sendable {
        /// Delay after the first failure; doubles with each further failure.
        public var baseDelay: Duration
        /// Upper bound of the delay.
        public var maximumDelay: Duration

        /// Defaults close to controller-runtime's (5 ms doubling, capped; we cap at 5 minutes rather than
        /// 1000 s so a broken object is looked at again within a reasonable time on one machine).
        public init(baseDelay: Duration = .milliseconds(5), maximumDelay: Duration = .seconds(300)) {
            self.baseDelay = baseDelay
            self.maximumDelay = maximumDelay
        }
    }

    private let configuration: Configuration
    private var queue: [Key] = []
    private var queueHead = 0
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var failures: [Key: Int] = [:]
    private var waiting: [CheckedContinuation<Key?, Never>] = []
    private var delayed: [Key: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)] = [:]
    private var isShutDown = false

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Number of keys waiting to be processed (not counting those being processed).
    public var depth: Int { queue.count - queueHead }

    /// Queues `key` unless it is already waiting.
    public func add(_ key: Key) {
        guard !isShutDown, !dirty.contains(key) else { return }
        dirty.insert(key)
        if processing.contains(key) { return }  // re-queued by `done(_:)`
        if let waiter = waiting.first {
            waiting.removeFirst()
            dirty.remove(key)
            processing.insert(key)
            waiter.resume(returning: key)
        } else {
            queue.append(key)
        }
    }

    /// Queues `key` after `delay`. When a delayed add of the same key is already pending, the sooner of
    /// the two wins, so a short requeue is never pushed back by a long one.
    public func add(_ key: Key, after delay: Duration) {
        guard !isShutDown else { return }
        guard delay > .zero else {
            add(key)
            return
        }
        let deadline = ContinuousClock.now.advanced(by: delay)
        if let pending = delayed[key] {
            if pending.deadline <= deadline { return }
            pending.task.cancel()
        }
        let task = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.fireDelayed(key, deadline: deadline)
        }
        delayed[key] = (deadline, task)
    }

    /// Queues `key` after its back-off delay, which doubles with each call until `forget(_:)`.
    public func addRateLimited(_ key: Key) {
        let count = failures[key, default: 0]
        failures[key] = count + 1
        add(key, after: backoff(forFailures: count))
    }

    /// The back-off before retry number `failures + 1`.
    public func backoff(forFailures failures: Int) -> Duration {
        let exponent = min(failures, 40)
        let scaled = configuration.baseDelay * (1 << exponent)
        return min(scaled, configuration.maximumDelay)
    }

    /// How many times `key` has failed since it was last forgotten.
    public func failureCount(_ key: Key) -> Int { failures[key, default: 0] }

    /// Clears `key`'s failure history after a successful reconcile.
    public func forget(_ key: Key) {
        failures[key] = nil
    }

    /// Waits for the next key; `nil` once the queue is shut down. The caller must call `done(_:)`.
    public func next() async -> Key? {
        if let key = popReady() { return key }
        if isShutDown { return nil }
        return await withCheckedContinuation { continuation in
            waiting.append(continuation)
        }
    }

    /// Marks `key` as processed; if it was added meanwhile, it goes back in the queue.
    public func done(_ key: Key) {
        processing.remove(key)
        if dirty.contains(key) {
            dirty.remove(key)
            add(key)
        }
    }

    /// Stops handing out keys; waiting `next()` calls return `nil`.
    public func shutDown() {
        isShutDown = true
        for pending in delayed.values { pending.task.cancel() }
        delayed = [:]
        let waiters = waiting
        waiting = []
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    private func fireDelayed(_ key: Key, deadline: ContinuousClock.Instant) {
        guard delayed[key]?.deadline == deadline else { return }  // superseded by a sooner add
        delayed[key] = nil
        add(key)
    }

    private func popReady() -> Key? {
        guard queueHead < queue.count else { return nil }
        let key = queue[queueHead]
        queueHead += 1
        if queueHead > 1024, queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        dirty.remove(key)
        processing.insert(key)
        return key
    }
}
