public import API

/// One change seen by a watch.
///
/// Under a label selector, an object that starts matching arrives as `.added` and one that stops matching
/// as `.deleted` (carrying its previous state), as Kubernetes' watch cache does.
public struct WatchEvent: Sendable, Hashable {
    /// The Kubernetes watch event types.
    public enum EventType: String, Sendable, Hashable, Codable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    public var type: EventType
    /// The object after the change; for `.deleted`, its last state. `metadata.resourceVersion` is the
    /// change's revision.
    public var object: Value
    public var key: ObjectKey
    /// The revision of the change.
    public var revision: Revision

    public init(type: EventType, object: Value, key: ObjectKey, revision: Revision) {
        self.type = type
        self.object = object
        self.key = key
        self.revision = revision
    }
}

/// The source behind a `WatchStream`: one per watch, implemented by each store.
public protocol WatchSource: AnyObject, Sendable {
    /// The next event; `nil` once the watch was cancelled. Throws `StoreError` `.expired` when the watcher
    /// must re-list.
    func next() async throws -> WatchEvent?

    /// Ends the watch: a pending and every later `next()` returns `nil`.
    func cancel()
}

/// The events of one watch, as an async sequence. Iterate it once; drop it (or `cancel()`) to stop.
public struct WatchStream: AsyncSequence, Sendable {
    public typealias Element = WatchEvent

    private let source: any WatchSource

    /// A stream over a store's watch source.
    public init(_ source: any WatchSource) {
        self.source = source
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(source: source)
    }

    /// Stops the watch.
    public func cancel() {
        source.cancel()
    }

    public struct Iterator: AsyncIteratorProtocol {
        let source: any WatchSource

        public mutating func next() async throws -> WatchEvent? {
            try await source.next()
        }
    }
}
