import Synchronization

/// A cap on the connections one listener (or one group of listeners) holds open at once.
///
/// Every accepted connection costs a file descriptor (two when it is proxied), and descriptors are shared with
/// everything else the daemon does: pod processes and their logs, probes, the store, git. Without a cap, enough
/// idle clients take them all and the daemon stops working. A listener asks ``admit()`` for each accepted
/// connection:
/// - `.admitted`: served as usual;
/// - `.refused`: over the cap, told so politely (a 503 after its request head arrives, within a short patience);
///   at most `refusalMaximum` connections are in this state at once, so refusing costs a bounded number of
///   descriptors too;
/// - `.dropped`: over both, closed at once.
///
/// It calls ``release(_:)`` with the same admission when the connection closes. Lock-free; safe from any thread.
public final class ConnectionLimit: Sendable {
    /// What a new connection gets.
    public enum Admission: Sendable {
        case admitted, refused, dropped
    }

    /// The most connections served at once.
    public let maximum: Int
    /// The most connections being refused politely at once.
    public let refusalMaximum: Int
    private let open = Atomic<Int>(0)
    private let refusing = Atomic<Int>(0)
    private let turnedAway = Atomic<Int>(0)

    /// - Parameters:
    ///   - maximum: connections served at once (at least 1).
    ///   - refusalMaximum: connections told "too many" at once; default an eighth of `maximum`, 4 to 64.
    public init(maximum: Int, refusalMaximum: Int? = nil) {
        self.maximum = max(1, maximum)
        self.refusalMaximum = max(0, refusalMaximum ?? min(64, max(4, maximum / 8)))
    }

    /// Decides what a new connection gets and takes its place.
    public func admit() -> Admission {
        if Self.take(open, below: maximum) { return .admitted }
        turnedAway.add(1, ordering: .relaxed)
        return Self.take(refusing, below: refusalMaximum) ? .refused : .dropped
    }

    /// Gives back the place a closed connection had.
    public func release(_ admission: Admission) {
        switch admission {
        case .admitted: open.subtract(1, ordering: .acquiringAndReleasing)
        case .refused: refusing.subtract(1, ordering: .acquiringAndReleasing)
        case .dropped: break
        }
    }

    /// Connections served now.
    public var current: Int { open.load(ordering: .relaxed) }

    /// Connections turned away (refused or dropped) so far because the cap was reached.
    public var refused: Int { turnedAway.load(ordering: .relaxed) }

    private static func take(_ counter: borrowing Atomic<Int>, below limit: Int) -> Bool {
        var current = counter.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = counter.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }
}
