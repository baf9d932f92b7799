public import Foundation

/// A durable description of a running container process, written to the store so that a restarted gitopsd can
/// find the process again, check it is still the same one, and adopt it.
///
/// A pid alone is not an identity (the kernel reuses pids); pid plus the start time from `/proc/<pid>/stat`
/// (field 22, clock ticks since boot) is.
public struct ProcessRecord: Sendable, Hashable, Codable {
    /// The container the process runs.
    public var id: ContainerID
    /// The process id.
    public var pid: Int32
    /// The process group id; equal to `pid`, since each container leads its own session.
    public var processGroup: Int32
    /// `/proc/<pid>/stat` field 22 at start.
    public var startTime: UInt64
    /// The full argv the process was started with.
    public var command: [String]
    /// When the process started (wall clock, for `state.running.startedAt`).
    public var startedAt: Date
    /// The log file the process writes to.
    public var logPath: String
    /// The cgroup holding every process of this run (a stop signals all of them), or nil when the runtime tracks
    /// the container by its process group only (no writable cgroup hierarchy; records of older gitopsd).
    public var cgroup: String?

    /// Creates a record.
    public init(
        id: ContainerID, pid: Int32, processGroup: Int32, startTime: UInt64, command: [String], startedAt: Date,
        logPath: String, cgroup: String? = nil
    ) {
        self.id = id
        self.pid = pid
        self.processGroup = processGroup
        self.startTime = startTime
        self.command = command
        self.startedAt = startedAt
        self.logPath = logPath
        self.cgroup = cgroup
    }
}
