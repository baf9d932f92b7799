/// A reconcile that failed, classed by what the controller loop does next.
///
/// Any other error thrown by a reconcile is retried with back-off; throw this to say otherwise, as
/// flux's controllers class their errors: some failures are fixed by time (a store conflict, a busy port), some
/// only by a change to the object or what it refers to (a missing Secret, an invalid spec), and some not at all.
public struct ReconcileFailure: Error, Sendable, CustomStringConvertible {
    /// What the loop does with the key.
    public enum Next: Sendable, Equatable {
        /// Try again with per-key exponential back-off.
        case retry
        /// Do not retry; an informer event for the key (or something it depends on) brings it back.
        case waitForChange
        /// Record the failure and stop retrying until the object itself changes.
        case stop
    }

    public var next: Next
    public var message: String

    public init(_ next: Next, _ message: String) {
        self.next = next
        self.message = message
    }

    public var description: String { message }
}
