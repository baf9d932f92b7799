/// The kubelet's restart back-off for one container, as a pure value over time values the caller supplies.
///
/// The first exit restarts at once; each further exit waits the current period, which starts at
/// `initial` (10 s) and doubles up to `maximum` (300 s): 0, 10, 20, 40, 80, 160, 300, 300 s... A container that
/// ran longer than `resetAfter` (10 minutes, twice the maximum) since its last restart starts over: it
/// restarts at once and the next period is `initial` again. While a restart waits, the container shows
/// `waiting` with reason `CrashLoopBackOff`.
///
/// Generic over the instant type, so it works with `ContinuousClock` in production and plain values in tests.
public struct CrashLoopBackOff<Instant: InstantProtocol>: Sendable
where Instant.Duration == Duration, Instant: Sendable {
    /// Back-off settings; the defaults are the kubelet's.
    public struct Configuration: Sendable, Hashable {
        /// The first wait (kubelet `backOffPeriod`, 10 s).
        public var initial: Duration
        /// The longest wait (kubelet `MaxContainerBackOff`, 300 s).
        public var maximum: Duration
        /// A run at least this long since the last restart forgets the back-off (2 × maximum, 10 minutes).
        public var resetAfter: Duration

        /// Creates a configuration; `resetAfter` defaults to twice `maximum`.
        public init(initial: Duration = .seconds(10), maximum: Duration = .seconds(300), resetAfter: Duration? = nil) {
            self.initial = initial
            self.maximum = maximum
            self.resetAfter = resetAfter ?? maximum * 2
        }
    }

    /// The settings.
    public let configuration: Configuration
    /// The wait the next exit will get, or nil before the first exit (or after a reset).
    public private(set) var period: Duration?
    /// When the container was last restarted by this back-off.
    public private(set) var lastRestart: Instant?

    /// A back-off with no history.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Decides when a container that exited at `finishedAt` starts again, and remembers that restart.
    ///
    /// Call once per exit that the restart policy restarts.
    /// - Returns: how long after `finishedAt` to restart (zero: at once).
    public mutating func restartDelay(exitedAt finishedAt: Instant) -> Duration {
        let expired = lastRestart.map { $0.duration(to: finishedAt) > configuration.resetAfter } ?? true
        let delay: Duration
        if let period, !expired {
            delay = period
            self.period = min(period * 2, configuration.maximum)
        } else {
            delay = .zero
            self.period = configuration.initial
        }
        lastRestart = finishedAt.advanced(by: delay)
        return delay
    }

    /// Forgets the history (for example when the pod is replaced).
    public mutating func reset() {
        period = nil
        lastRestart = nil
    }
}
