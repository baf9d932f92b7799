public import API
public import Logging

/// Every informer of one process: one list and one watch per kind, one cache, shared by every controller and the
/// kubelet — client-go's shared informer factory.
///
/// Parts ask for the informers they need while they are being built (`informer(_:)` returns the same instance to
/// each), add their handlers, and the composition runs the factory once. Asking for a new kind after `run()` has
/// started is a programming error: that informer would never run.
public final class SharedInformers: Sendable {
    private struct State {
        var informers: [String: any SharedInformer] = [:]
        var started = false
    }

    private let store: any ObjectStore
    private let logger: Logger?
    private let state = Locked(State())

    /// - Parameters:
    ///   - store: What every informer lists and watches.
    ///   - logger: For decoding problems and store errors; silent when `nil`.
    public init(store: any ObjectStore, logger: Logger? = nil) {
        self.store = store
        self.logger = logger
    }

    /// The process's informer for `Object`'s kind, made on first use.
    public func informer<Object: KubernetesObject>(_ type: Object.Type = Object.self) -> Informer<Object> {
        state.withLock { state in
            let kind = Object.resource.kind
            if let existing = state.informers[kind] {
                guard let informer = existing as? Informer<Object> else {
                    preconditionFailure("two object types for the kind \(kind)")
                }
                return informer
            }
            precondition(!state.started, "informer for \(kind) asked for after the shared informers started")
            let informer = Informer<Object>(store: store, logger: logger)
            state.informers[kind] = informer
            return informer
        }
    }

    /// The kinds with an informer, sorted.
    public var kinds: [String] { state.withLock { $0.informers.keys.sorted() } }

    /// Runs every informer until the task is cancelled; call it once, after every part has asked for its
    /// informers and added its handlers.
    public func run() async {
        let informers = state.withLock { state in
            state.started = true
            return Array(state.informers.values)
        }
        await withDiscardingTaskGroup { group in
            for informer in informers {
                group.addTask { await informer.run() }
            }
        }
    }
}

/// What the factory needs of an informer, whatever its object type.
protocol SharedInformer: Sendable {
    func run() async
}

extension Informer: SharedInformer {}
