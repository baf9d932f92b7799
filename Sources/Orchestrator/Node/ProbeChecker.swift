import Dispatch
import Glibc

/// Makes probe checks for real: HTTP GET and TCP connect over sockets to 127.0.0.1, and exec by running a
/// command. The bookkeeping around the results lives in `ContainerProbeStateMachine`.
///
/// Socket checks block for at most their timeout, so they run on a dedicated dispatch queue, never on the
/// cooperative thread pool. Exec checks spawn a process in its own group and kill the group on timeout.
public struct ProbeChecker: Sendable {
    /// The host to probe when a probe names none: the pod IP, which is 127.0.0.1 for every pod here.
    public var defaultHost: String
    /// Variables copied from gitopsd's environment under those given to an exec check (as for containers).
    public var inheritedEnvironment: [String]
    /// Who exec checks run as, like the containers (`ProcessRuntime.Configuration.podUser`): nobody when gitopsd
    /// runs as root, gitopsd's own user otherwise; nil for gitopsd's own user.
    public var podUser: ProcessIdentity?

    private static let queue = DispatchQueue(label: "gitopsd.probes", attributes: .concurrent)

    /// Creates a checker.
    public init(
        defaultHost: String = "127.0.0.1", inheritedEnvironment: [String] = ["PATH"],
        podUser: ProcessIdentity? = .podDefault
    ) {
        self.defaultHost = defaultHost
        self.inheritedEnvironment = inheritedEnvironment
        self.podUser = podUser
    }

    /// Runs one check of `probe` for a container.
    ///
    /// - Parameters:
    ///   - probe: the probe; its `configuration.timeout` bounds the check.
    ///   - ports: the container's port bindings, to map probe ports to host ports. A port number the
    ///     container does not declare is used as a host port as is.
    ///   - environment: the container's environment, for exec checks.
    ///   - workingDirectory: the container's working directory, for exec checks.
    public func check(
        _ probe: Probe, ports: [PortBinding] = [], environment: [EnvironmentVariable] = [],
        workingDirectory: String? = nil
    ) async -> ProbeOutcome {
        let timeout = probe.configuration.timeout
        switch probe.handler {
        case .httpGet(let action):
            guard let port = Self.resolve(action.port, in: ports) else {
                return .unknown("no container port named \(action.port)")
            }
            let host = action.host ?? defaultHost
            return await Self.blocking {
                HTTPProbe.get(host: host, port: port, path: action.path, headers: action.headers, timeout: timeout)
            }
        case .tcpSocket(let action):
            guard let port = Self.resolve(action.port, in: ports) else {
                return .unknown("no container port named \(action.port)")
            }
            let host = action.host ?? defaultHost
            return await Self.blocking {
                let deadline = ContinuousClock.now + timeout
                switch TCPConnection.connect(host: host, port: port, deadline: deadline) {
                case .success(let fd):
                    close(fd)
                    return .success
                case .failure(let message):
                    return .failure(message)
                }
            }
        case .exec(let action):
            return await exec(
                action.command, environment: environment, workingDirectory: workingDirectory,
                timeout: timeout)
        }
    }

    /// Maps a probe port to a host port.
    static func resolve(_ port: ProbePort, in bindings: [PortBinding]) -> Int? {
        switch port {
        case .number(let number):
            return bindings.first { $0.containerPort == number }?.hostPort ?? number
        case .name(let name):
            return bindings.first { $0.name == name }?.hostPort
        }
    }

    private func exec(
        _ command: [String], environment: [EnvironmentVariable], workingDirectory: String?, timeout: Duration
    ) async -> ProbeOutcome {
        guard let program = command.first else { return .failure("exec probe has no command") }
        let spec = ContainerSpec(
            id: ContainerID(namespace: "", pod: "", container: "probe"), command: command,
            environment: environment, workingDirectory: workingDirectory)
        let finalEnvironment = ProcessRuntime.environment(
            for: spec, inheriting: inheritedEnvironment, otherUser: podUser != nil)
        let future: ExitFuture
        let pid: pid_t
        do {
            let executable = try ProcessRuntime.resolveExecutable(
                program, environment: finalEnvironment, in: workingDirectory)
            // Never gitopsd's own working directory: `/` when the container names none.
            pid = try Posix.spawnContainer(
                executable: executable, arguments: command,
                environment: finalEnvironment.map { "\($0.name)=\($0.value)" },
                workingDirectory: workingDirectory ?? "/", output: -1, cgroupProcs: [],
                identity: podUser.map { Posix.Identity(uid: $0.uid, gid: $0.gid) })
        } catch {
            return .failure("exec probe could not start: \(error)")
        }
        do {
            future = try ExitMonitor.shared.watch(pid, reap: true)
        } catch {
            Posix.signalGroup(pid, SIGKILL)
            _ = Posix.reap(pid)
            return .unknown("cannot watch exec probe: \(error)")
        }
        // The exit wait cannot be cancelled, so a timeout kills the process group and keeps waiting for the exit.
        let (finished, timedOut) = await withTaskGroup(of: ObservedExit?.self) { tasks in
            tasks.addTask { await future.value }
            tasks.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var timedOut = false
            while let result = await tasks.next() {
                if let result {
                    tasks.cancelAll()
                    return (result, timedOut)
                }
                timedOut = true
                Posix.signalGroup(pid, SIGKILL)
            }
            return (await future.value, timedOut)
        }
        if timedOut { return .failure("command timed out after \(timeout)") }
        if finished.status.isSuccess { return .success }
        return .failure("command \(finished.status)")
    }

    private static func blocking(_ work: @escaping @Sendable () -> ProbeOutcome) async -> ProbeOutcome {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
