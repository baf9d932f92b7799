import Foundation
import Glibc
public import Logging

/// Runs containers as local processes: the node agent's real `ContainerRuntime`.
///
/// Each container is a child process (fork + exec, `CProcessSpawn`) in its own session, process group and,
/// where a cgroup v1 hierarchy is writable, cgroup (so a stop signals everything the container started, even
/// what called `setsid`), running as `Configuration.podUser` in its own working directory, with exactly the
/// environment in its spec and stdin from `/dev/null`. One shared thread notices exits through pidfds and reaps children per pid (see `ExitMonitor`),
/// so no zombies are left and statuses reach the runtime promptly.
///
/// ## Logs
/// The child's stdout and stderr are the log file itself, opened `O_APPEND`: no pump sits between the process
/// and its log. That is what lets logs keep flowing across a gitopsd restart: an adopted process still writes
/// to its file, and nothing in gitopsd had to survive for that (a pipe would have broken, and the process would
/// have died of SIGPIPE or blocked on a full pipe). Rotation is therefore copy-then-truncate done by the runtime
/// (`rotateLogs()`, run periodically by `run()`): `O_APPEND` makes the writer continue at the new end of the
/// truncated file. The price is that lines written between the copy and the truncation are lost, and the
/// file can overshoot the limit between two checks. Starting a container again moves its log to
/// `<container>.previous.log`.
///
/// ## Adoption
/// `start` returns a `ProcessRecord` (pid, pgid, `/proc` start time, argv) for the caller to persist. After a
/// gitopsd restart, `adopt` checks the pid still names the same process (its start time matches) and watches
/// it through a pidfd; its exit status is then unknowable (gitopsd is no longer its parent), so it is reported
/// as `ProcessExitStatus.unknown`.
///
/// This runtime is Linux-only (pidfd, `/proc`, glibc `posix_spawn` extensions).
public actor ProcessRuntime: ContainerRuntime {
    /// Settings of a process runtime. Defaults follow the kubelet.
    public struct Configuration: Sendable, Hashable {
        /// The directory holding one `<namespace>_<pod>` directory of logs per pod.
        public var logsDirectory: String
        /// Rotate a log once it is larger than this many bytes (kubelet `containerLogMaxSize`, 10 MiB).
        public var logSizeLimit: Int
        /// How often `run()` checks log sizes (kubelet: 10 s).
        public var logRotationInterval: Duration
        /// Time between SIGTERM and SIGKILL when a stop names none (`terminationGracePeriodSeconds`, 30 s).
        public var defaultGracePeriod: Duration
        /// Variables copied from gitopsd's own environment before the spec's (which win). `PATH` by default,
        /// standing in for the `PATH` an image would set; with a `podUser`, `PATH` is the standard one instead
        /// (`/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`).
        public var inheritedEnvironment: [String]
        /// Who the containers' processes run as; nil for gitopsd's own user. Default `ProcessIdentity.podDefault`:
        /// `nobody`/`nogroup` when gitopsd runs as root, its own user otherwise.
        public var podUser: ProcessIdentity?
        /// The directory holding each container's default working directory (for a spec that names none),
        /// `<dir>/<namespace>_<pod>/<container>`, owned by `podUser`, mode 0700. It and the pod level are 0711
        /// (no listing). It must be reachable by `podUser`, so not inside a 0700 data directory; nil for
        /// `<logs directory>/../pods`.
        public var workingDirectories: String?
        /// Whether each container runs in a cgroup of its own (when a cgroup v1 hierarchy is writable), so a stop
        /// reaches processes that left the container's process group (`setsid`). True by default.
        public var usesCgroups: Bool

        /// Creates a configuration; every value but the logs directory has the kubelet's default.
        public init(
            logsDirectory: String, logSizeLimit: Int = 10 * 1024 * 1024,
            logRotationInterval: Duration = .seconds(10), defaultGracePeriod: Duration = .seconds(30),
            inheritedEnvironment: [String] = ["PATH"], podUser: ProcessIdentity? = .podDefault,
            workingDirectories: String? = nil, usesCgroups: Bool = true
        ) {
            self.logsDirectory = logsDirectory
            self.logSizeLimit = logSizeLimit
            self.logRotationInterval = logRotationInterval
            self.defaultGracePeriod = defaultGracePeriod
            self.inheritedEnvironment = inheritedEnvironment
            self.usesCgroups = usesCgroups
            self.podUser = podUser
            self.workingDirectories = workingDirectories
        }

        /// `workingDirectories`, or its default beside the logs directory.
        var workingDirectoriesRoot: String { workingDirectories ?? logsDirectory + "/../pods" }
    }

    private struct Container {
        var record: ProcessRecord
        var exit: ExitFuture
        var finished: ContainerExit?
    }

    /// The runtime's settings.
    public nonisolated let configuration: Configuration
    private var containers: [ContainerID: Container] = [:]
    private var subscribers: [Int: AsyncStream<ContainerEvent>.Continuation] = [:]
    private var nextSubscriber = 0

    /// Where containers' cgroups are made; nil when none is writable (containers are then process groups only).
    private nonisolated let cgroups: ProcessCgroup.Hierarchy?

    /// Creates a runtime. Nothing runs until `start` or `adopt`; call `run()` to rotate logs periodically.
    ///
    /// - Parameter logger: told once, here, when containers cannot get cgroups and are tracked by process group.
    public init(configuration: Configuration, logger: Logger? = nil) {
        self.configuration = configuration
        cgroups = configuration.usesCgroups ? ProcessCgroup.Hierarchy.find() : nil
        if configuration.usesCgroups, cgroups == nil {
            logger?.info(
                """
                no writable cgroup v1 hierarchy (freezer, pids or name=systemd); containers are tracked by process \
                group, so a process that calls setsid outlives its pod
                """)
        }
    }

    /// The log files and reader of container `id`.
    public nonisolated func logs(for id: ContainerID) -> ContainerLogs {
        ContainerLogs(logsDirectory: configuration.logsDirectory, id: id)
    }

    // MARK: ContainerRuntime

    public func start(_ spec: ContainerSpec) async throws(NodeError) -> ProcessRecord {
        guard let program = spec.command.first, !program.isEmpty else {
            throw NodeError(
                .invalidSpec,
                "container \(spec.id) has no command; the process runtime has no image entrypoint to fall back on")
        }
        if let existing = containers[spec.id], existing.finished == nil {
            throw NodeError(.alreadyRunning, "container \(spec.id) already runs as pid \(existing.record.pid)")
        }
        let environment = Self.environment(
            for: spec, inheriting: configuration.inheritedEnvironment, otherUser: configuration.podUser != nil)
        var workingDirectory = spec.workingDirectory ?? ""
        if spec.workingDirectory == nil { workingDirectory = try makeWorkingDirectory(for: spec.id) }
        let executable = try Self.resolveExecutable(program, environment: environment, in: workingDirectory)
        let arguments = spec.command + spec.args
        let logs = logs(for: spec.id)
        let logFD = try openFreshLog(logs)
        defer { close(logFD) }

        let cgroup: ProcessCgroup?
        var cgroupProcs: [Int32] = []
        do {
            cgroup = try cgroups.map { hierarchy throws(SystemCallError) in
                try ProcessCgroup.create(for: spec.id, in: hierarchy)
            }
            if let cgroup { cgroupProcs.append(try cgroup.openProcs()) }
        } catch {
            throw NodeError(.systemCall, "cannot make a cgroup for container \(spec.id)", cause: error)
        }
        defer { for fd in cgroupProcs { close(fd) } }
        let pid: pid_t
        do {
            pid = try Posix.spawnContainer(
                executable: executable, arguments: arguments,
                environment: environment.map { "\($0.name)=\($0.value)" },
                workingDirectory: workingDirectory, output: logFD, cgroupProcs: cgroupProcs,
                identity: configuration.podUser.map { Posix.Identity(uid: $0.uid, gid: $0.gid) })
        } catch {
            if let cgroup { _ = rmdir(cgroup.path) }
            throw NodeError(.spawnFailed, "cannot start container \(spec.id)", cause: error)
        }
        let startedAt = Date()
        let exit: ExitFuture
        do {
            exit = try ExitMonitor.shared.watch(pid, reap: true)
        } catch {
            Posix.signalGroup(pid, SIGKILL)
            _ = Posix.reap(pid)
            if let cgroup { await cgroup.destroy() }
            throw NodeError(.systemCall, "cannot watch container \(spec.id)", cause: error)
        }
        // The child is ours and not yet reaped (at worst a zombie), so its stat file exists.
        let startTime = ProcStat.read(pid)?.startTime ?? 0
        let record = ProcessRecord(
            id: spec.id, pid: pid, processGroup: pid, startTime: startTime, command: arguments,
            startedAt: startedAt, logPath: logs.currentPath, cgroup: cgroup?.path)
        track(record, exit: exit)
        return record
    }

    public func stop(_ id: ContainerID, gracePeriod: Duration? = nil) async throws(NodeError) -> ContainerExit {
        guard let container = containers[id] else {
            throw NodeError(.notFound, "no container \(id) in this runtime")
        }
        if let finished = container.finished { return finished }
        let grace = gracePeriod ?? configuration.defaultGracePeriod
        let record = container.record
        let future = container.exit
        Self.signal(record, grace > .zero ? SIGTERM : SIGKILL)
        // The grace period is a timer of its own, not a sleep of this task: stops mostly come from tasks that are
        // already cancelled (a pod being deleted, the kubelet shutting down), where a sleep returns at once and
        // the SIGKILL would follow the SIGTERM by microseconds. The exit wait itself cannot be cancelled.
        let killer: Task<Void, Never>? =
            grace > .zero
            ? Task.detached {
                guard (try? await Task.sleep(for: grace)) != nil else { return }  // cancelled: it exited
                Self.signal(record, SIGKILL)
            } : nil
        let observed = await future.value
        killer?.cancel()
        // What the main process left behind dies with it, before the stop counts as done.
        await Self.removeCgroup(of: record)
        return exited(container.record, observed)
    }

    public func waitForExit(_ id: ContainerID) async throws(NodeError) -> ContainerExit {
        guard let container = containers[id] else {
            throw NodeError(.notFound, "no container \(id) in this runtime")
        }
        if let finished = container.finished { return finished }
        let observed = await container.exit.value
        return exited(container.record, observed)
    }

    public func remove(_ id: ContainerID, gracePeriod: Duration? = nil) async throws(NodeError) {
        guard containers[id] != nil else { return }
        _ = try await stop(id, gracePeriod: gracePeriod)
        containers[id] = nil
    }

    public func state(of id: ContainerID) -> RuntimeContainerState? {
        guard let container = containers[id] else { return nil }
        if let finished = container.finished { return .exited(container.record, finished) }
        return .running(container.record)
    }

    public func adopt(_ record: ProcessRecord) async throws(NodeError) {
        if let existing = containers[record.id], existing.finished == nil {
            if existing.record == record { return }
            throw NodeError(.alreadyRunning, "container \(record.id) already runs as pid \(existing.record.pid)")
        }
        do {
            try Self.verify(record)
        } catch {
            // The main process is gone; whatever it left in its cgroup is not adopted and must not linger.
            await Self.removeCgroup(of: record)
            throw error
        }
        let exit: ExitFuture
        do {
            exit = try ExitMonitor.shared.watch(record.pid, reap: false, startTime: record.startTime)
        } catch {
            throw NodeError(.systemCall, "cannot watch adopted container \(record.id)", cause: error)
        }
        // The pidfd now pins the process; check again that it is the one recorded, closing the race between
        // the first check and opening the pidfd.
        try Self.verify(record)
        track(record, exit: exit)
    }

    public func events() -> AsyncStream<ContainerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ContainerEvent.self)
        let key = nextSubscriber
        nextSubscriber += 1
        subscribers[key] = continuation
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            Task { await self.unsubscribe(key) }
        }
        return stream
    }

    // MARK: beyond the protocol

    /// The records of every running container, to persist for adoption.
    public func runningRecords() -> [ProcessRecord] {
        containers.values.filter { $0.finished == nil }.map(\.record).sorted { $0.id < $1.id }
    }

    /// Rotates every running container's log that has grown past `configuration.logSizeLimit`: copies it to
    /// `<container>.log.1` and truncates it (see the type's notes on why copy-and-truncate).
    ///
    /// - Returns: the containers whose logs were rotated.
    @discardableResult
    public func rotateLogs() -> [ContainerID] {
        var rotated: [ContainerID] = []
        for container in containers.values where container.finished == nil {
            let path = container.record.logPath
            guard let size = FileIO.status(path)?.size, size > configuration.logSizeLimit else { continue }
            do {
                try FileIO.copy(path, to: path + ".1")
                if truncate(path, 0) != 0 { throw SystemCallError.current("truncate \(path)") }
                rotated.append(container.record.id)
            } catch {
                continue  // the next pass tries again
            }
        }
        return rotated.sorted()
    }

    /// Rotates logs every `configuration.logRotationInterval` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            rotateLogs()
            do {
                try await Task.sleep(for: configuration.logRotationInterval)
            } catch {
                return
            }
        }
    }

    // MARK: internals

    private func track(_ record: ProcessRecord, exit: ExitFuture) {
        containers[record.id] = Container(record: record, exit: exit, finished: nil)
        publish(.started(record))
        Task { [weak self] in
            let observed = await exit.value
            await self?.exited(record, observed)
            await Self.removeCgroup(of: record)
        }
    }

    /// Records an exit once (both `stop` and the exit watcher get here) and returns the stored value.
    @discardableResult
    private func exited(_ record: ProcessRecord, _ observed: ObservedExit) -> ContainerExit {
        let exit = ContainerExit(status: observed.status, startedAt: record.startedAt, finishedAt: observed.time)
        guard var container = containers[record.id], container.record == record else { return exit }
        if let finished = container.finished { return finished }
        container.finished = exit
        containers[record.id] = container
        publish(.exited(record.id, exit))
        return exit
    }

    private func publish(_ event: ContainerEvent) {
        for subscriber in subscribers.values { subscriber.yield(event) }
    }

    private func unsubscribe(_ key: Int) {
        subscribers[key] = nil
    }

    /// The default working directory of a container, `<workingDirectories>/<namespace>_<pod>/<container>`: made
    /// if missing (kept across restarts of the container), owned by the pod user, 0700, below 0711 levels so the
    /// pod user reaches it without seeing its neighbours. The kubelet removes the pod's directory with the pod.
    private func makeWorkingDirectory(for id: ContainerID) throws(NodeError) -> String {
        let root = configuration.workingDirectoriesRoot
        let pod = "\(root)/\(id.namespace)_\(id.pod)"
        let container = "\(pod)/\(id.container)"
        do {
            try Posix.makeDirectories(container)
            try Posix.changeMode(root, 0o711)
            try Posix.changeMode(pod, 0o711)
            try Posix.changeMode(container, 0o700)
            if let user = configuration.podUser { try Posix.changeOwner(container, uid: user.uid, gid: user.gid) }
        } catch {
            throw NodeError(.systemCall, "cannot make the working directory of container \(id)", cause: error)
        }
        return container
    }

    /// Moves the last run's log aside as `previous`, drops its rotated chunk and opens a new file for appending.
    private func openFreshLog(_ logs: ContainerLogs) throws(NodeError) -> Int32 {
        do {
            try Posix.makeDirectories(logs.directory)
            try FileIO.moveIfPresent(logs.currentPath, to: logs.previousPath)
            FileIO.removeIfPresent(logs.rotatedPath)
            return try Posix.open(logs.currentPath, O_WRONLY | O_CREAT | O_APPEND)
        } catch {
            throw NodeError(.logIO, "cannot open the log of container \(logs.container)", cause: error)
        }
    }

    /// Signals every process of a container: its cgroup's members (its process group among them), or its
    /// process group when it has no cgroup (or the cgroup cannot be read). Never both: a second SIGTERM makes
    /// some programs skip their graceful shutdown.
    private static func signal(_ record: ProcessRecord, _ signal: Int32) {
        if let path = record.cgroup, ProcessCgroup(path: path).signalAll(signal) > 0 { return }
        Posix.signalGroup(record.processGroup, signal)
    }

    /// Kills what is left in a container's cgroup and removes it (nothing to do without one).
    private static func removeCgroup(of record: ProcessRecord) async {
        guard let path = record.cgroup else { return }
        await ProcessCgroup(path: path).destroy()
    }

    /// Checks that `record` still names a live process: same pid, same start time, not a zombie.
    static func verify(_ record: ProcessRecord) throws(NodeError) {
        guard let stat = ProcStat.read(record.pid), stat.state != "Z" else {
            throw NodeError(.processGone, "process \(record.pid) of container \(record.id) has exited")
        }
        guard stat.startTime == record.startTime else {
            throw NodeError(
                .processMismatch,
                "pid \(record.pid) of container \(record.id) now names another process "
                    + "(start time \(stat.startTime), recorded \(record.startTime))")
        }
    }

    /// The `PATH` of a container running as another user than gitopsd (Docker's default for images).
    static let standardPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The final environment: inherited variables first, then the spec's; the last value of a name wins.
    ///
    /// - Parameter otherUser: the process runs as another user than gitopsd; it then gets `standardPath` for an
    ///   inherited `PATH`, since gitopsd's may name directories that user cannot enter (root's `~/.pyenv/shims`).
    static func environment(for spec: ContainerSpec, inheriting names: [String], otherUser: Bool = false)
        -> [EnvironmentVariable]
    {
        var inherited: [EnvironmentVariable] = []
        for name in names {
            if otherUser, name == "PATH" {
                inherited.append(EnvironmentVariable(name: name, value: standardPath))
            } else if let value = getenv(name) {
                inherited.append(EnvironmentVariable(name: name, value: String(cString: value)))
            }
        }
        return RuntimeEnvironment.merge(inherited, spec.environment)
    }

    /// Finds the file to execute: a name with a `/` is taken as a path (relative to the working directory),
    /// any other name is looked up on the container's `PATH`.
    static func resolveExecutable(
        _ program: String, environment: [EnvironmentVariable], in workingDirectory: String?
    ) throws(NodeError) -> String {
        if program.contains("/") {
            let checked =
                program.hasPrefix("/") || workingDirectory == nil
                ? program : "\(workingDirectory ?? ".")/\(program)"
            guard Posix.isExecutableFile(checked) else {
                throw NodeError(.executableNotFound, "\(program): no such executable file")
            }
            return program
        }
        let path = environment.last { $0.name == "PATH" }?.value ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if Posix.isExecutableFile(candidate) { return candidate }
        }
        throw NodeError(.executableNotFound, "\(program): executable file not found in PATH \(path)")
    }
}
