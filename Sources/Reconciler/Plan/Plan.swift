public import API

/// What one reconcile will do: the ordered creates, updates and deletes that turn live into desired.
public struct Plan: Sendable, Hashable {
    /// One object's change.
    public struct Change: Sendable, Hashable {
        public enum Action: String, Sendable, Hashable, Codable {
            case create, update, delete
        }

        public var key: ObjectKey
        public var action: Action
        /// The object as it should be (nil for a delete).
        public var desired: Value?
        /// The object as it is (nil for a create).
        public var live: Value?

        public init(key: ObjectKey, action: Action, desired: Value?, live: Value?) {
            self.key = key
            self.action = action
            self.desired = desired
            self.live = live
        }
    }

    /// Creates and updates in `ApplyOrder`, then deletes in reverse order.
    public var changes: [Change]

    public init(changes: [Change]) {
        self.changes = changes
    }

    /// Compares a desired set with the live objects of the same source.
    /// - Parameters:
    ///   - desired: The objects the commit declares.
    ///   - live: The objects the source manages now.
    ///   - prune: Whether live objects missing from `desired` are deleted.
    ///   - isInSync: Whether a live object already matches its desired form (the caller decides which
    ///     fields count, e.g. ignoring status and fields the orchestrator sets).
    public init(
        desired: [ObjectKey: Value], live: [ObjectKey: Value], prune: Bool,
        isInSync: (_ live: Value, _ desired: Value) -> Bool
    ) {
        var applies: [Change] = []
        for (key, object) in desired {
            if let current = live[key] {
                if !isInSync(current, object) {
                    applies.append(Change(key: key, action: .update, desired: object, live: current))
                }
            } else {
                applies.append(Change(key: key, action: .create, desired: object, live: nil))
            }
        }
        var deletes: [Change] = []
        if prune {
            for (key, object) in live where desired[key] == nil {
                deletes.append(Change(key: key, action: .delete, desired: nil, live: object))
            }
        }
        applies.sort { ApplyOrder.precedes($0.key, $1.key) }
        deletes.sort { ApplyOrder.precedes($1.key, $0.key) }
        changes = applies + deletes
    }

    /// True when there is nothing to do.
    public var isEmpty: Bool { changes.isEmpty }

    /// How many objects each action touches.
    public func count(_ action: Change.Action) -> Int {
        changes.filter { $0.action == action }.count
    }
}
