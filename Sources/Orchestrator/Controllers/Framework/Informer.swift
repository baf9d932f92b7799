public import API
import Foundation
public import Logging

/// What an informer saw happen to one object.
public enum InformerEvent<Object: KubernetesObject>: Sendable {
    /// The object appeared (first list, a later re-list, or a watch `ADDED`).
    case added(Object)
    /// The object changed; `old` is the state the cache held before.
    case updated(old: Object, new: Object)
    /// The object went away; carries its last known state.
    case deleted(Object)

    /// The object as it is now (for `.deleted`, as it was last).
    public var object: Object {
        switch self {
        case .added(let object), .deleted(let object): object
        case .updated(_, let new): new
        }
    }
}

/// Lists and watches one kind in the store, keeps the newest state of every object in a local cache, and tells
/// handlers about additions, changes and deletions — client-go's shared informer, for one process.
///
/// The informer lists first, then watches from the list's revision (no gap, no duplicate). When the watch
/// ends with `StoreError.expired` (history compacted, or the informer fell behind) it lists again and
/// reports the difference between its cache and the new list as events, so handlers never miss a deletion.
/// Other store errors are retried after `Configuration.retryDelay`.
///
/// Controllers enqueue keys from the handlers and read the cache (`get`, `list`) while reconciling; the
/// cache is eventually consistent with the store. `waitUntilObserved(_:timeout:)` lets a controller wait
/// until the cache has caught up with its own writes, so the next reconcile of a key never acts on state
/// older than what the previous one wrote (what client-go's "expectations" achieve).
///
/// Objects that do not decode as `Object` are left out of the cache (and logged).
///
/// Concurrency: handlers run one at a time, in revision order, on the task that calls `run()`; register
/// them with `addHandler(_:)` before `run()` starts. The cache may be read from any task.
public final class Informer<Object: KubernetesObject>: Sendable {
    /// What to watch and how to retry.
    public struct Configuration: Sendable {
        /// Only objects in this namespace; `nil` (default): every namespace.
        public var namespace: String?
        /// Only objects with matching labels. Default: everything.
        public var selector: LabelSelector
        /// Wait before listing again after a store error other than `expired`. Default 500 ms.
        public var retryDelay: Duration

        public init(
            namespace: String? = nil, selector: LabelSelector = .everything, retryDelay: Duration = .milliseconds(500)
        ) {
            self.namespace = namespace
            self.selector = selector
            self.retryDelay = retryDelay
        }
    }

    /// A handler for the informer's events.
    public typealias Handler = @Sendable (InformerEvent<Object>) async -> Void

    /// One cached object: decoded, and as stored (for writes that must keep every field exactly).
    public struct Entry: Sendable {
        public var object: Object
        public var value: Value
    }

    private struct Waiter {
        var id: UInt64
        var revision: Revision?
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var entries: [ObjectKey: Entry] = [:]
        var revision = Revision.zero
        var synced = false
        var handlers: [Handler] = []
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
    }

    public let configuration: Configuration
    private let store: any ObjectStore
    private let logger: Logger
    private let state = Locked(State())

    /// An informer for `Object`'s kind.
    /// - Parameters:
    ///   - store: The store to list and watch.
    ///   - configuration: Namespace, selector and retry delay.
    ///   - logger: For decoding problems and store errors; silent when `nil`.
    public init(store: any ObjectStore, configuration: Configuration = Configuration(), logger: Logger? = nil) {
        self.store = store
        self.configuration = configuration
        self.logger = logger ?? Logger(label: "gitopsd.informer", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    private var filter: ObjectFilter {
        ObjectFilter(kind: Object.resource.kind, namespace: configuration.namespace, selector: configuration.selector)
    }

    /// Adds a handler; call before `run()`.
    public func addHandler(_ handler: @escaping Handler) {
        state.withLock { $0.handlers.append(handler) }
    }

    // MARK: Cache

    /// The cached object with this key.
    public func get(_ key: ObjectKey) -> Object? {
        state.withLock { $0.entries[key]?.object }
    }

    /// The cached object with this key, decoded and as stored.
    public func entry(_ key: ObjectKey) -> Entry? {
        state.withLock { $0.entries[key] }
    }

    /// Cached objects in a namespace (`nil`: all) whose labels match `selector`, sorted by key.
    public func list(namespace: String? = nil, selector: LabelSelector = .everything) -> [Object] {
        entries(namespace: namespace, selector: selector).map(\.object)
    }

    /// Cached entries in a namespace (`nil`: all) whose labels match `selector`, sorted by key.
    public func entries(namespace: String? = nil, selector: LabelSelector = .everything) -> [Entry] {
        let matching = state.withLock { state in
            state.entries.filter { key, entry in
                (namespace == nil || key.namespace == namespace)
                    && (selector.isEmpty || selector.matches(entry.object.metadata.labels))
            }
        }
        return matching.sorted { $0.key < $1.key }.map(\.value)
    }

    /// The store revision the cache reflects.
    public var revision: Revision { state.withLock { $0.revision } }

    /// Whether the first list has been loaded.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// Returns once the first list has been loaded (or the task is cancelled).
    public func waitUntilSynced() async {
        await wait(for: nil)
    }

    /// Waits until the cache reflects the store at `revision` or later — typically the revision of a write the
    /// caller made to this kind — or until `timeout` passes or the task is cancelled.
    /// - Returns: Whether the cache caught up.
    @discardableResult
    public func waitUntilObserved(_ revision: Revision, timeout: Duration = .seconds(5)) async -> Bool {
        if isObserved(revision) { return true }
        await waitAtMost(timeout) { await self.wait(for: revision) }
        return isObserved(revision)
    }

    private func isObserved(_ revision: Revision) -> Bool {
        state.withLock { $0.synced && $0.revision >= revision }
    }

    /// Suspends until synced (`revision == nil`) or synced at `revision`; cancellation resumes it.
    private func wait(for revision: Revision?) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    if state.synced && (revision.map { state.revision >= $0 } ?? true) { return true }
                    state.waiters.append(Waiter(id: id, revision: revision, continuation: continuation))
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

    // MARK: Running

    /// Lists, then watches, until the task is cancelled; re-lists whenever the watch expires. Call it once.
    public func run() async {
        while !Task.isCancelled {
            do {
                let list = try await store.list(filter)
                await replace(with: list)
                let stream = try await store.watch(filter, from: list.revision)
                for try await event in stream {
                    await apply(event)
                }
                if Task.isCancelled { return }
                // The stream ended without an error: the store was closed under us. Look again later.
                try? await Task.sleep(for: configuration.retryDelay)
            } catch let error as StoreError where error.code == .expired {
                logger.debug("watch expired; listing again", metadata: ["informer.kind": "\(Object.resource.kind)"])
            } catch {
                if Task.isCancelled { return }
                logger.info(
                    "list or watch failed; retrying",
                    metadata: ["informer.kind": "\(Object.resource.kind)", "error": "\(error)"])
                try? await Task.sleep(for: configuration.retryDelay)
            }
        }
    }

    /// Loads a (re-)list: the differences from the cache become events.
    private func replace(with list: ObjectList) async {
        var fresh: [ObjectKey: Entry] = [:]
        for value in list.items {
            if let entry = decode(value) { fresh[entry.object.key] = entry }
        }
        let (events, handlers) = state.withLock { state -> ([InformerEvent<Object>], [Handler]) in
            var events: [InformerEvent<Object>] = []
            for (key, old) in state.entries.sorted(by: { $0.key < $1.key }) where fresh[key] == nil {
                events.append(.deleted(old.object))
            }
            for (key, new) in fresh.sorted(by: { $0.key < $1.key }) {
                if let old = state.entries[key] {
                    if old.object.metadata.resourceVersion != new.object.metadata.resourceVersion {
                        events.append(.updated(old: old.object, new: new.object))
                    }
                } else {
                    events.append(.added(new.object))
                }
            }
            state.entries = fresh
            state.revision = max(state.revision, list.revision)
            state.synced = true
            return (events, state.handlers)
        }
        resumeWaiters()
        for event in events {
            for handler in handlers { await handler(event) }
        }
    }

    private func apply(_ event: WatchEvent) async {
        let decoded = decode(event.object)
        let (informerEvent, handlers) = state.withLock { state -> (InformerEvent<Object>?, [Handler]) in
            defer { state.revision = max(state.revision, event.revision) }
            let old = state.entries[event.key]
            switch event.type {
            case .added, .modified:
                guard let new = decoded else {
                    state.entries[event.key] = nil
                    return (old.map { .deleted($0.object) }, state.handlers)
                }
                state.entries[event.key] = new
                return (old.map { .updated(old: $0.object, new: new.object) } ?? .added(new.object), state.handlers)
            case .deleted:
                state.entries[event.key] = nil
                let last = decoded?.object ?? old?.object
                return (last.map { .deleted($0) }, state.handlers)
            }
        }
        resumeWaiters()
        guard let informerEvent else { return }
        for handler in handlers { await handler(informerEvent) }
    }

    private func decode(_ value: Value) -> Entry? {
        do {
            return Entry(object: try Object(value), value: value)
        } catch {
            let name = value[path: ["metadata", "name"]]?.stringValue ?? "?"
            logger.warning(
                "ignoring an object that does not decode",
                metadata: ["informer.kind": "\(Object.resource.kind)", "object.name": "\(name)", "error": "\(error)"])
            return nil
        }
    }

    private func resumeWaiters() {
        let ready = state.withLock { state -> [Waiter] in
            guard state.synced else { return [] }
            let revision = state.revision
            let ready = state.waiters.filter { waiter in waiter.revision.map { revision >= $0 } ?? true }
            state.waiters.removeAll { waiter in waiter.revision.map { revision >= $0 } ?? true }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }
}
