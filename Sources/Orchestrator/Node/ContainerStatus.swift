public import Foundation

/// A container's state as Kubernetes reports it (`containerStatuses[].state` and `lastState`).
public enum ContainerState: Sendable, Hashable, Codable {
    /// Not running yet or between runs; `reason` is `ContainerCreating`, `CrashLoopBackOff`,
    /// `CreateContainerError` and the like.
    case waiting(reason: String, message: String?)
    /// Running since `startedAt`.
    case running(startedAt: Date)
    /// Ended.
    case terminated(TerminatedState)
}

/// How a container run ended (`state.terminated`).
public struct TerminatedState: Sendable, Hashable, Codable {
    /// The exit code; 128 + N for a death by signal N.
    public var exitCode: Int32
    /// The signal that killed the process, if one did.
    public var signal: Int32?
    /// `Completed` for exit code 0, `Error` otherwise.
    public var reason: String
    /// Extra detail, for example that the status of an adopted process is unknown.
    public var message: String?
    /// When the run started.
    public var startedAt: Date
    /// When it ended.
    public var finishedAt: Date

    /// Creates a terminated state.
    public init(
        exitCode: Int32, signal: Int32? = nil, reason: String, message: String? = nil, startedAt: Date,
        finishedAt: Date
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// The terminated state for a runtime exit.
    public init(_ exit: ContainerExit) {
        var signal: Int32?
        var message: String?
        switch exit.status {
        case .signaled(let number): signal = number
        case .unknown: message = "the exit status of a process adopted after a gitopsd restart is unknown"
        case .exited: break
        }
        self.init(
            exitCode: exit.status.exitCode, signal: signal, reason: exit.status.isSuccess ? "Completed" : "Error",
            message: message, startedAt: exit.startedAt, finishedAt: exit.finishedAt)
    }
}

/// One container's status (`status.containerStatuses[]`), with the transitions the node agent applies.
public struct ContainerStatus: Sendable, Hashable, Codable {
    /// The container's name.
    public var name: String
    /// The current state.
    public var state: ContainerState
    /// The previous run's termination, if there was one.
    public var lastState: ContainerState?
    /// Whether the readiness probe passes (and the startup probe has).
    public var ready: Bool
    /// Whether the startup probe has passed (true without one once running).
    public var started: Bool
    /// How many times the container was restarted.
    public var restartCount: Int
    /// The host ports its container ports are mapped to.
    public var ports: [PortBinding]

    /// A container that has not started yet: `waiting/ContainerCreating`.
    public init(name: String, ports: [PortBinding] = []) {
        self.name = name
        self.state = .waiting(reason: "ContainerCreating", message: nil)
        self.lastState = nil
        self.ready = false
        self.started = false
        self.restartCount = 0
        self.ports = ports
    }

    /// The process started (a restart if the container ran before).
    public mutating func recordStart(at startedAt: Date) {
        if hasRun { restartCount += 1 }
        if case .terminated = state { lastState = state }
        state = .running(startedAt: startedAt)
        ready = false
        started = false
    }

    /// The process ended.
    public mutating func recordExit(_ exit: ContainerExit) {
        state = .terminated(TerminatedState(exit))
        ready = false
        started = false
    }

    /// The container waits, for example in `CrashLoopBackOff`; the last termination moves to `lastState`.
    public mutating func recordWaiting(reason: String, message: String?) {
        if case .terminated = state { lastState = state }
        state = .waiting(reason: reason, message: message)
        ready = false
    }

    /// Whether the container ran at least once (it has a termination, now or as its last state).
    private var hasRun: Bool {
        if case .terminated = state { return true }
        if case .terminated? = lastState { return true }
        return false
    }
}
