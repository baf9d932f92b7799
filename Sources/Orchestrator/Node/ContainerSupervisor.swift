import Foundation

/// Keeps one container of a pod running the way the kubelet does: starts it, runs its probes, restarts it by
/// the restart policy with crash-loop back-off, and keeps its `ContainerStatus` up to date.
///
/// The pod-level controller creates one supervisor per container, runs `run()` in a task, and reads
/// `statusUpdates()` to write pod status. Cancelling the task stops the container (SIGTERM, then SIGKILL after
/// the grace period) and `run()` returns once it has exited. After `detach()`, cancelling ends the supervision
/// but leaves the process running, for adoption by the next gitopsd (`run(adopting:)`).
public actor ContainerSupervisor {
    /// Something worth an Event that the status alone does not show.
    public enum Event: Sendable, Hashable {
        /// A probe check failed (Kubernetes' `Unhealthy` event), with the check's message.
        case probeFailed(ProbeKind, message: String)
        /// A failed liveness or startup probe is killing the container (`Killing`).
        case killing(ProbeKind, message: String)
    }

    /// How the container is supervised. Timing defaults are Kubernetes'; shorten them in tests.
    public struct Configuration: Sendable {
        /// The pod's restart policy.
        public var restartPolicy: RestartPolicy
        /// Crash-loop back-off timing.
        public var backOff: CrashLoopBackOff<ContinuousClock.Instant>.Configuration
        /// The startup probe, if any.
        public var startupProbe: Probe?
        /// The liveness probe, if any.
        public var livenessProbe: Probe?
        /// The readiness probe, if any.
        public var readinessProbe: Probe?
        /// Grace period for kills by a failed probe or cancellation; nil for the runtime's default.
        public var gracePeriod: Duration?
        /// The container's port bindings (for probes and status).
        public var ports: [PortBinding]
        /// Told about probe failures and probe kills, on the supervisor's executor; keep it short.
        public var eventHandler: (@Sendable (Event) -> Void)?

        /// Creates a configuration.
        public init(
            restartPolicy: RestartPolicy = .always,
            backOff: CrashLoopBackOff<ContinuousClock.Instant>.Configuration = .init(),
            startupProbe: Probe? = nil, livenessProbe: Probe? = nil, readinessProbe: Probe? = nil,
            gracePeriod: Duration? = nil, ports: [PortBinding] = [],
            eventHandler: (@Sendable (Event) -> Void)? = nil
        ) {
            self.restartPolicy = restartPolicy
            self.backOff = backOff
            self.startupProbe = startupProbe
            self.livenessProbe = livenessProbe
            self.readinessProbe = readinessProbe
            self.gracePeriod = gracePeriod
            self.ports = ports
            self.eventHandler = eventHandler
        }
    }

    /// The container's spec.
    public nonisolated let spec: ContainerSpec
    /// The supervision settings.
    public nonisolated let configuration: Configuration
    private let runtime: any ContainerRuntime
    private let checker: ProbeChecker
    /// The current status.
    public private(set) var status: ContainerStatus
    private var probes = ContainerProbeStateMachine()
    private var subscribers: [Int: AsyncStream<ContainerStatus>.Continuation] = [:]
    private var nextSubscriber = 0
    private var detached = false

    /// Creates a supervisor; nothing starts until `run()`.
    ///
    /// - Parameter initialStatus: the status to continue from (restart count, last state), for example the one
    ///   a pod reported before a gitopsd restart; nil for a fresh `waiting/ContainerCreating` container.
    public init(
        spec: ContainerSpec, runtime: any ContainerRuntime, configuration: Configuration = Configuration(),
        checker: ProbeChecker = ProbeChecker(), initialStatus: ContainerStatus? = nil
    ) {
        self.spec = spec
        self.runtime = runtime
        self.configuration = configuration
        self.checker = checker
        var status = initialStatus ?? ContainerStatus(name: spec.id.container)
        status.name = spec.id.container
        status.ports = configuration.ports
        self.status = status
    }

    /// Ends supervision without stopping the process: once the `run()` task is then cancelled, `run()` returns
    /// and the process keeps running (for `Kubelet.shutdown(keepWorkloads: true)`).
    public func detach() {
        detached = true
    }

    /// Every later status change, until the consumer stops iterating.
    public func statusUpdates() -> AsyncStream<ContainerStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: ContainerStatus.self)
        let key = nextSubscriber
        nextSubscriber += 1
        subscribers[key] = continuation
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            Task { await self.unsubscribe(key) }
        }
        return stream
    }

    /// Runs the container until the restart policy lets it finish, or until cancelled (then stops it and returns
    /// once it has exited, unless `detach()` was called).
    ///
    /// - Parameter adopted: a process already running this container (adopted into the runtime after a gitopsd
    ///   restart) to supervise first instead of starting one; its `ready`/`started` carry over from the
    ///   initial status.
    public func run(adopting adopted: ProcessRecord? = nil) async {
        var backOff = CrashLoopBackOff<ContinuousClock.Instant>(configuration: configuration.backOff)
        let id = spec.id
        var adopted = adopted
        // An adopted process is always supervised once, even when cancelled already: it then gets stopped (or,
        // detached, left alone) like any other.
        while adopted != nil || !Task.isCancelled {
            let exitStatus: ProcessExitStatus
            if let record = adopted {
                adopted = nil
                exitStatus = await supervise(record, adopted: true)
            } else {
                do {
                    let record = try await runtime.start(spec)
                    exitStatus = await supervise(record, adopted: false)
                } catch {
                    update { $0.recordWaiting(reason: "CreateContainerError", message: "\(error)") }
                    exitStatus = .exited(code: 128)
                }
            }
            guard !Task.isCancelled, configuration.restartPolicy.shouldRestart(after: exitStatus) else { return }
            let delay = backOff.restartDelay(exitedAt: .now)
            if delay > .zero {
                let message = "back-off \(delay) restarting failed container=\(id.container) pod=\(id.pod)"
                update { $0.recordWaiting(reason: "CrashLoopBackOff", message: message) }
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return
                }
            }
        }
    }

    /// Watches one run: probes until the process exits; returns its exit status. When the task is cancelled it
    /// stops the process (or, detached, leaves it running) and returns.
    private func supervise(_ record: ProcessRecord, adopted: Bool) async -> ProcessExitStatus {
        let startup = configuration.startupProbe?.configuration
        let liveness = configuration.livenessProbe?.configuration
        let readiness = configuration.readinessProbe?.configuration
        if adopted {
            probes = ContainerProbeStateMachine(
                startup: startup, liveness: liveness, readiness: readiness, resumingStarted: status.started,
                ready: status.ready)
        } else {
            probes = ContainerProbeStateMachine(startup: startup, liveness: liveness, readiness: readiness)
        }
        let machine = probes
        update {
            if adopted {
                $0.state = .running(startedAt: record.startedAt)
            } else {
                $0.recordStart(at: record.startedAt)
            }
            $0.started = machine.started
            $0.ready = machine.ready
        }
        let started = ContinuousClock.now
        let id = spec.id
        let runtime = runtime
        let exit: ContainerExit? = await withTaskGroup(of: ContainerExit?.self) { tasks in
            tasks.addTask { await Self.exitUnlessCancelled(of: id, in: runtime) }
            tasks.addTask { [self] in
                await self.probeLoop(since: started)
                return nil
            }
            while let result = await tasks.next() {
                if let result {
                    tasks.cancelAll()
                    return result
                }
            }
            return nil
        }
        if let exit {
            update { $0.recordExit(exit) }
            return exit.status
        }
        // Cancelled while the process runs.
        if detached { return .unknown }
        guard let stopped = try? await runtime.stop(id, gracePeriod: configuration.gracePeriod) else { return .unknown }
        update { $0.recordExit(stopped) }
        return stopped.status
    }

    /// The container's exit, or nil as soon as the task is cancelled (waiting on an exit is not cancellable, so
    /// it is left to a task of its own that ends when the process does).
    private static func exitUnlessCancelled(of id: ContainerID, in runtime: any ContainerRuntime) async
        -> ContainerExit?
    {
        let (stream, continuation) = AsyncStream.makeStream(of: ContainerExit?.self)
        Task {
            continuation.yield(try? await runtime.waitForExit(id))
            continuation.finish()
        }
        for await exit in stream { return exit }
        return nil
    }

    /// Runs due probe checks and applies their actions until cancelled or a probe kills the container.
    private func probeLoop(since started: ContinuousClock.Instant) async {
        while !Task.isCancelled, !probes.killed {
            let elapsed = started.duration(to: .now)
            for kind in probes.dueChecks(at: elapsed) {
                guard let probe = probe(kind) else { continue }
                let outcome = await checker.check(
                    probe, ports: configuration.ports, environment: spec.environment,
                    workingDirectory: spec.workingDirectory)
                if case .failure(let message) = outcome, !Task.isCancelled {
                    configuration.eventHandler?(.probeFailed(kind, message: message))
                }
                for action in probes.record(outcome, for: kind, at: started.duration(to: .now)) {
                    await apply(action)
                }
            }
            guard let next = probes.nextDeadline else { return }
            do {
                try await Task.sleep(until: started.advanced(by: next), clock: .continuous)
            } catch {
                return
            }
        }
    }

    private func probe(_ kind: ProbeKind) -> Probe? {
        switch kind {
        case .startup: configuration.startupProbe
        case .liveness: configuration.livenessProbe
        case .readiness: configuration.readinessProbe
        }
    }

    private func apply(_ action: ContainerProbeStateMachine.Action) async {
        switch action {
        case .markStarted:
            update { $0.started = true }
        case .setReady(let ready):
            update { $0.ready = ready }
        case .kill(let kind, let message):
            configuration.eventHandler?(.killing(kind, message: message))
            // The exit reaches `supervise` through `waitForExit`; the restart policy then applies.
            _ = try? await runtime.stop(spec.id, gracePeriod: configuration.gracePeriod)
        }
    }

    private func update(_ change: (inout ContainerStatus) -> Void) {
        var next = status
        change(&next)
        guard next != status else { return }
        status = next
        for subscriber in subscribers.values { subscriber.yield(next) }
    }

    private func unsubscribe(_ key: Int) {
        subscribers[key] = nil
    }
}
