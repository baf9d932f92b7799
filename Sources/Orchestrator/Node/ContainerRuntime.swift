public import Foundation

/// How a container's process ended.
public struct ContainerExit: Sendable, Hashable, Codable {
    /// The exit status.
    public var status: ProcessExitStatus
    /// When the process started.
    public var startedAt: Date
    /// When its exit was noticed.
    public var finishedAt: Date

    /// Creates an exit.
    public init(status: ProcessExitStatus, startedAt: Date, finishedAt: Date) {
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// Something that happened to a container in a runtime.
public enum ContainerEvent: Sendable, Hashable {
    /// A process started (or was adopted).
    case started(ProcessRecord)
    /// A process exited, on its own or because it was stopped.
    case exited(ContainerID, ContainerExit)
}

/// What a runtime knows about one container.
public enum RuntimeContainerState: Sendable, Hashable {
    /// The process runs.
    case running(ProcessRecord)
    /// The process has exited; the container keeps this state until it is started again or removed.
    case exited(ProcessRecord, ContainerExit)
}

/// The seam between pod-level logic and whatever runs containers on this node.
///
/// `ProcessRuntime` runs containers as local processes; a test double can stand in where a unit test of the
/// pod controller needs one. A runtime knows each container by `ContainerID` and runs at most one process per
/// identity at a time. Implementations are actors or otherwise safe to call concurrently.
public protocol ContainerRuntime: Sendable {
    /// Starts a process for `spec`.
    ///
    /// - Returns: the record to persist for adoption after a gitopsd restart.
    /// - Throws: `NodeError` with `.invalidSpec`, `.executableNotFound`, `.spawnFailed` or `.alreadyRunning`.
    func start(_ spec: ContainerSpec) async throws -> ProcessRecord

    /// Stops a container: SIGTERM to its processes, SIGKILL after `gracePeriod` (nil: the runtime's default;
    /// zero: SIGKILL at once), waited in full even when the calling task is cancelled. Returns when the process
    /// has exited. Stopping an exited container
    /// returns its exit.
    ///
    /// - Throws: `NodeError.Code.notFound` for an unknown container.
    func stop(_ id: ContainerID, gracePeriod: Duration?) async throws -> ContainerExit

    /// Waits until the container's current process exits and returns how it ended (at once if it has).
    ///
    /// - Throws: `NodeError.Code.notFound` for an unknown container.
    func waitForExit(_ id: ContainerID) async throws -> ContainerExit

    /// Forgets an exited container (for pod removal); stops it first if it still runs.
    func remove(_ id: ContainerID, gracePeriod: Duration?) async throws

    /// The container's state, or nil if unknown.
    func state(of id: ContainerID) async -> RuntimeContainerState?

    /// Takes over a process started by an earlier gitopsd (or another runtime instance) from its record.
    ///
    /// - Throws: `NodeError` with `.processGone` if it has exited, `.processMismatch` if the pid now names a
    ///   different process, `.alreadyRunning` if this runtime already runs that container.
    func adopt(_ record: ProcessRecord) async throws

    /// A stream of every later start and exit, until the consumer stops iterating.
    func events() async -> AsyncStream<ContainerEvent>
}
