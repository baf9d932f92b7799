public import API
import Foundation
public import Logging

/// One controller's wiring: a work queue of keys fed by informer events, and workers that reconcile each key
/// once every watched informer has loaded its first list.
///
/// A controller file says which informers bring which keys (`watches`, `owns`) and what a reconcile of a key does;
/// the queue, the workers, the wait for synced caches, back-off and error logging are here, once. Keys are
/// level-triggered (controller-runtime's model): an event says which key to look at, never what changed, so
/// collapsing several events into one reconcile is always safe, and a key is never reconciled twice at once.
public final class Controller<Key: Hashable & Sendable>: Sendable {
    /// Workers and back-off.
    public struct Configuration: Sendable {
        /// Keys reconciled at once (never the same key twice). Default 2.
        public var workers: Int
        /// Retry back-off of failed reconciles.
        public var queue: WorkQueue<Key>.Configuration

        public init(workers: Int = 2, queue: WorkQueue<Key>.Configuration = WorkQueue<Key>.Configuration()) {
            self.workers = workers
            self.queue = queue
        }
    }

    /// Used in logs and the `gitopsd_controller_queue_depth{controller}` metric.
    public let name: String
    public let queue: WorkQueue<Key>
    private let configuration: Configuration
    private let logger: Logger
    private let syncWaits = Locked<[@Sendable () async -> Void]>([])

    public init(name: String, configuration: Configuration = Configuration(), logger: Logger? = nil) {
        self.name = name
        self.configuration = configuration
        self.logger = logger ?? Logger(label: "gitopsd.\(name)", factory: { _ in SwiftLogNoOpLogHandler() })
        self.queue = WorkQueue(configuration: configuration.queue)
    }

    /// Enqueues the keys `keys` returns for each event of `informer`; the workers start only once it has synced.
    /// Call before `run(_:)`.
    public func watches<Object: KubernetesObject>(
        _ informer: Informer<Object>, keys: @escaping @Sendable (InformerEvent<Object>) -> [Key]
    ) {
        let queue = self.queue
        informer.addHandler { event in
            for key in keys(event) { await queue.add(key) }
        }
        waitsFor(informer)
    }

    /// Makes the workers wait for `informer`'s first list without enqueueing anything for its events (a cache the
    /// reconcile reads).
    public func waitsFor<Object: KubernetesObject>(_ informer: Informer<Object>) {
        syncWaits.withLock { $0.append({ await informer.waitUntilSynced() }) }
    }

    /// Adds `key` now (for example a key that does not come from one object).
    public func enqueue(_ key: Key) async {
        await queue.add(key)
    }

    /// Returns once every watched informer has loaded its first list (or the task is cancelled): for a controller
    /// that reads its caches once before its workers start.
    public func waitUntilSynced() async {
        for wait in syncWaits.withLock({ $0 }) { await wait() }
    }

    /// Runs the workers until the task is cancelled, once every watched informer has synced; the informers
    /// themselves run in the shared factory. Failures are logged; see ``ReconcileFailure`` for what the loop does
    /// with them.
    public func run(_ reconcile: @escaping @Sendable (Key) async throws -> ReconcileResult) async {
        await waitUntilSynced()
        guard !Task.isCancelled else { return }
        let logger = self.logger
        await ControllerRunner(
            name: name, queue: queue, workers: configuration.workers, reconcile: reconcile,
            onError: { key, error, next in
                switch next {
                case .retry:
                    logger.info("reconcile failed; retrying", metadata: ["object.key": "\(key)", "error": "\(error)"])
                case .waitForChange:
                    logger.info(
                        "reconcile failed; waiting for a change", metadata: ["object.key": "\(key)", "error": "\(error)"])
                case .stop:
                    logger.warning(
                        "reconcile failed; not retrying", metadata: ["object.key": "\(key)", "error": "\(error)"])
                }
            }
        ).run()
    }
}

extension Controller where Key == ObjectKey {
    /// Enqueues the object's own key for every event of `informer`.
    public func watches<Object: KubernetesObject>(_ informer: Informer<Object>) {
        watches(informer) { [$0.object.key] }
    }

    /// Enqueues the owner an event on a dependent concerns: its controlling owner before and after a change of
    /// owner, or, for an orphan, every owner in its namespace whose selector matches (one of them will adopt it).
    public func owns<Owner: KubernetesObject, Dependent: KubernetesObject>(
        _ dependents: Informer<Dependent>, owners: Informer<Owner>,
        selector: @escaping @Sendable (Owner) -> LabelSelector?
    ) {
        watches(dependents) { event in OwnerKeys.keys(for: event, owners: owners, selector: selector) }
    }
}
