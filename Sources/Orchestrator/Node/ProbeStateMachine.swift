/// The bookkeeping of one probe: consecutive counts, thresholds and the result they produce.
///
/// Pure: outcomes go in, a changed result comes out. The initial result follows Kubernetes: liveness starts as
/// success, readiness as failure, and startup has no result until it first succeeds or fails
/// `failureThreshold` times in a row. An `unknown` outcome (the check itself could not be made) changes nothing.
public struct ProbeStateMachine: Sendable, Hashable {
    /// A probe's current verdict.
    public enum Result: Sendable, Hashable {
        /// Passing.
        case success
        /// Failing.
        case failure
    }

    /// Which probe this is.
    public let kind: ProbeKind
    /// Its thresholds and timing.
    public let configuration: Probe.Configuration
    /// The current verdict, nil for a startup probe that has not decided yet.
    public private(set) var result: Result?
    /// Successes in a row.
    public private(set) var consecutiveSuccesses = 0
    /// Failures in a row.
    public private(set) var consecutiveFailures = 0
    /// The message of the latest failure.
    public private(set) var lastFailure: String?

    /// A probe with no outcomes yet.
    public init(kind: ProbeKind, configuration: Probe.Configuration) {
        self.kind = kind
        self.configuration = configuration
        switch kind {
        case .startup: result = nil
        case .liveness: result = .success
        case .readiness: result = .failure
        }
    }

    /// A probe resumed with a verdict known from before, for a process adopted after a gitopsd restart (so a
    /// container that was ready stays ready until its probe says otherwise).
    public init(kind: ProbeKind, configuration: Probe.Configuration, result: Result?) {
        self.init(kind: kind, configuration: configuration)
        self.result = result
    }

    /// Records one check's outcome.
    ///
    /// - Returns: the new verdict if this outcome changed it, else nil.
    public mutating func record(_ outcome: ProbeOutcome) -> Result? {
        switch outcome {
        case .unknown:
            return nil
        case .success:
            consecutiveFailures = 0
            consecutiveSuccesses += 1
            guard consecutiveSuccesses >= configuration.successThreshold, result != .success else { return nil }
            result = .success
            return .success
        case .failure(let message):
            consecutiveSuccesses = 0
            consecutiveFailures += 1
            lastFailure = message
            guard consecutiveFailures >= configuration.failureThreshold, result != .failure else { return nil }
            result = .failure
            return .failure
        }
    }
}

/// The probes of one container run: which checks are due when, and what their results mean.
///
/// Pure: time is the elapsed `Duration` since the container started, so it is tested with plain values.
/// Kubernetes semantics: a startup probe, while it has not succeeded, is the only probe that runs; its success
/// marks the container started and lets liveness and readiness run; reaching its failure threshold kills the
/// container. A liveness failure kills the container. Readiness decides `ready` and never kills. A missing
/// probe counts as success. Each probe first runs `initialDelay` after the container started, then every
/// `period`; a probe whose previous check is still running skips a turn.
public struct ContainerProbeStateMachine: Sendable, Hashable {
    /// What the caller does after a result.
    public enum Action: Sendable, Hashable {
        /// The startup probe passed: set the container's `started`.
        case markStarted
        /// Set the container's `ready` to this value.
        case setReady(Bool)
        /// Kill the container (then the restart policy applies), with the reason to report.
        case kill(ProbeKind, message: String)
    }

    private var probes: [ProbeKind: ProbeStateMachine]
    private var nextCheck: [ProbeKind: Duration]
    private var inFlight: Set<ProbeKind> = []

    /// Whether the container counts as started (always, without a startup probe).
    public private(set) var started: Bool
    /// Whether the container is ready.
    public private(set) var ready: Bool
    /// Whether a probe has asked for the container to be killed; no further checks are due after that.
    public private(set) var killed = false

    /// The probes of a freshly started container; pass nil for a probe the container does not define.
    public init(
        startup: Probe.Configuration? = nil, liveness: Probe.Configuration? = nil,
        readiness: Probe.Configuration? = nil
    ) {
        var probes: [ProbeKind: ProbeStateMachine] = [:]
        for (kind, configuration) in [(ProbeKind.startup, startup), (.liveness, liveness), (.readiness, readiness)] {
            if let configuration { probes[kind] = ProbeStateMachine(kind: kind, configuration: configuration) }
        }
        self.probes = probes
        self.nextCheck = probes.mapValues { $0.configuration.initialDelay }
        self.started = startup == nil
        self.ready = startup == nil && readiness == nil
    }

    /// The probes of an adopted container that is already running: `started` and `ready` carry over from the
    /// status reported before the gitopsd restart, and the probes resume from those verdicts.
    public init(
        startup: Probe.Configuration? = nil, liveness: Probe.Configuration? = nil,
        readiness: Probe.Configuration? = nil, resumingStarted started: Bool, ready: Bool
    ) {
        self.init(startup: startup, liveness: liveness, readiness: readiness)
        let isStarted = started || startup == nil
        self.started = isStarted
        if isStarted, let startup {
            probes[.startup] = ProbeStateMachine(kind: .startup, configuration: startup, result: .success)
        }
        if let readiness {
            probes[.readiness] = ProbeStateMachine(
                kind: .readiness, configuration: readiness, result: ready ? .success : .failure)
        }
        self.ready = isStarted && (readiness == nil || ready)
    }

    /// The state machine of one probe, if the container defines it.
    public func probe(_ kind: ProbeKind) -> ProbeStateMachine? {
        probes[kind]
    }

    /// The probes that run at this moment.
    private var active: [ProbeKind] {
        guard !killed else { return [] }
        let kinds: [ProbeKind] = started ? [.liveness, .readiness] : [.startup]
        return kinds.filter { probes[$0] != nil }
    }

    /// Returns the probes due at `elapsed` and marks them running; each is next due one period later.
    public mutating func dueChecks(at elapsed: Duration) -> [ProbeKind] {
        var due: [ProbeKind] = []
        for kind in active {
            guard let next = nextCheck[kind], next <= elapsed, let period = probes[kind]?.configuration.period
            else { continue }
            nextCheck[kind] = Swift.max(next + period, elapsed)
            if inFlight.contains(kind) { continue }  // the last check still runs: skip this turn
            inFlight.insert(kind)
            due.append(kind)
        }
        return due
    }

    /// When the next check is due (elapsed time since start), or nil if no probe will run again.
    public var nextDeadline: Duration? {
        active.compactMap { nextCheck[$0] }.min()
    }

    /// Records the outcome of a check `dueChecks` handed out.
    ///
    /// - Parameters:
    ///   - outcome: what the check found.
    ///   - kind: which probe it was.
    ///   - elapsed: when the result arrived, since the container started.
    /// - Returns: what to do, in order.
    public mutating func record(_ outcome: ProbeOutcome, for kind: ProbeKind, at elapsed: Duration) -> [Action] {
        inFlight.remove(kind)
        guard !killed, var probe = probes[kind] else { return [] }
        let changed = probe.record(outcome)
        probes[kind] = probe
        var actions: [Action] = []
        switch (kind, changed) {
        case (.startup, .success?) where !started:
            started = true
            actions.append(.markStarted)
            for other in [ProbeKind.liveness, .readiness] where nextCheck[other] != nil {
                nextCheck[other] = Swift.max(nextCheck[other] ?? elapsed, elapsed)
            }
        case (.startup, .failure?), (.liveness, .failure?):
            killed = true
            let label = kind == .startup ? "Startup" : "Liveness"
            actions.append(.kill(kind, message: "\(label) probe failed: \(probe.lastFailure ?? "no detail")"))
        default:
            break
        }
        let nowReady = !killed && started && (probes[.readiness].map { $0.result == .success } ?? true)
        if nowReady != ready {
            ready = nowReady
            actions.append(.setReady(nowReady))
        }
        return actions
    }
}
