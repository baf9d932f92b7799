import NIOCore

/// Notices a connection that has seen no traffic for a while, at the cost of one flag write per event.
///
/// NIO's `IdleStateHandler` stamps the time on every read and allocates a promise for every write, which showed up
/// in the proxy's profile. Here traffic only sets a flag, and one timer per connection looks at it once per
/// `timeout`: a connection is reported idle between one and two periods after its last traffic. Confined to the
/// connection's event loop; the owner must call `stop()` when the connection goes away (until then the timer
/// holds `onIdle`, which usually holds the owner).
final class IdleTimer {
    private let timeout: TimeAmount
    private let eventLoop: any EventLoop
    /// Called after a whole period without traffic; returns whether to keep watching.
    private let onIdle: () -> Bool
    private var sawTraffic = true
    private var scheduled: Scheduled<Void>?

    init(timeout: TimeAmount, eventLoop: any EventLoop, onIdle: @escaping () -> Bool) {
        self.timeout = timeout
        self.eventLoop = eventLoop
        self.onIdle = onIdle
    }

    /// Records traffic.
    @inline(__always)
    func touch() {
        sawTraffic = true
    }

    func start() {
        sawTraffic = true
        schedule()
    }

    func stop() {
        scheduled?.cancel()
        scheduled = nil
    }

    private func schedule() {
        // Strong captures, no weak references: an object with a weak reference moves its reference counts to a side
        // table, and every retain of it gets slower. The cycles end with `stop()`.
        scheduled = eventLoop.assumeIsolated().scheduleTask(in: timeout) { self.fire() }
    }

    private func fire() {
        if sawTraffic {
            sawTraffic = false
            schedule()
        } else if onIdle() {
            schedule()
        } else {
            scheduled = nil
        }
    }
}
