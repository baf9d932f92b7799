import Foundation

/// Keeps one container of a pod running the way the kubelet does: starts it, runs its probes, restarts it by
/// the restart policy with crash-loop back-off, and keeps its `ContainerStatus` up to date.
///
/// The pod-level controller creates one supervisor per container, runs `run()` in a task, and reads
/// `statusUpdates()` to write pod status. Cancelling the task stops the container (SIGTERM, then SIGKILL after
/// the grace period).
public actor ContainerSupervisor {
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

        /// Creates a configuration.
        public init(
            restartPolicy: RestartPolicy = .always,
            backOff: CrashLoopBackOff<ContinuousClock.Instant>.Configuration = .init(),
            startupProbe: Probe? = nil, livenessProbe: Probe? = nil, readinessProbe: Probe? = nil,
            gracePeriod: Duration? = nil, ports: [PortBinding] = []
        ) {
            self.restartPolicy = restartPolicy
            self.backOff = backOff
            self.startupProbe = startupProbe
            self.livenessProbe = livenessProbe
            self.readinessProbe = readinessProbe
            self.gracePeriod = gracePeriod
            self.ports = ports
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

    /// Creates a supervisor; nothing starts until `run()`.
    public init(
        spec: ContainerSpec, runtime: any ContainerRuntime, configuration: Configuration = Configuration(),
        checker: ProbeChecker = ProbeChecker()
    ) {
        self.spec = spec
        self.runtime = runtime
        self.configuration = configuration
        self.checker = checker
        self.status = ContainerStatus(name: spec.id.container, ports: configuration.ports)
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

    /// Runs the container until the restart policy lets it finish, or until cancelled (then stops it).
    public func run() async {
        var backOff = CrashLoopBackOff<ContinuousClock.Instant>(configuration: configuration.backOff)
        let id = spec.id
        let runtime = runtime
        let grace = configuration.gracePeriod
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                let exitStatus: ProcessExitStatus
                do {
                    let record = try await runtime.start(spec)
                    exitStatus = await supervise(record)
                } catch {
                    update { $0.recordWaiting(reason: "CreateContainerError", message: "\(error)") }
                    exitStatus = .exited(code: 128)
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
        } onCancel: {
            Task { _ = try? await runtime.stop(id, gracePeriod: grace) }
        }
    }

    /// Watches one run: probes until the process exits; returns its exit status.
    private func supervise(_ record: ProcessRecord) async -> ProcessExitStatus {
        probes = ContainerProbeStateMachine(
            startup: configuration.startupProbe?.configuration, liveness: configuration.livenessProbe?.configuration,
            readiness: configuration.readinessProbe?.configuration)
        let machine = probes
        update {
            $0.recordStart(at: record.startedAt)
            $0.started = machine.started
            $0.ready = machine.ready
        }
        let started = ContinuousClock.now
        let id = spec.id
        let runtime = runtime
        let exit: ContainerExit? = await withTaskGroup(of: ContainerExit?.self) { tasks in
            tasks.addTask { try? await runtime.waitForExit(id) }
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
        guard let exit else { return .unknown }
        update { $0.recordExit(exit) }
        return exit.status
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
        case .kill:
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
