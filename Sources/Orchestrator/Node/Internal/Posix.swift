import CProcessSpawn
import Glibc

/// Thin wrappers over the system calls the node agent uses. Every C call sits behind one small function that
/// reads `errno` right after a failure and reports it as a `SystemCallError`.
enum Posix {
    // MARK: glibc functions the Swift Glibc module does not export (they need _GNU_SOURCE), looked up once.

    private typealias PidfdOpenFunction = @convention(c) (pid_t, UInt32) -> Int32

    /// `RTLD_DEFAULT` is a null handle on glibc.
    private static func lookup(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)
    }

    private static let pidfdOpenFunction: PidfdOpenFunction? = lookup("pidfd_open").map {
        unsafeBitCast($0, to: PidfdOpenFunction.self)
    }

    // MARK: process identity

    /// Opens a pidfd for `pid`, or fails (ESRCH when the process is gone, ENOSYS before Linux 5.3).
    static func pidfdOpen(_ pid: pid_t) throws(SystemCallError) -> Int32 {
        guard let open = pidfdOpenFunction else {
            throw SystemCallError(call: "pidfd_open", errno: ENOSYS)
        }
        let fd = open(pid, 0)
        if fd < 0 { throw .current("pidfd_open") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// Sends `signal` to every process in group `pgid`. A group that no longer exists is not an error.
    static func signalGroup(_ pgid: pid_t, _ signal: Int32) {
        guard pgid > 1 else { return }  // never signal group 0 (our own) or -1 (everything)
        _ = kill(-pgid, signal)
    }

    /// Waits for child `pid` (blocking, retrying EINTR) and decodes its status; nil if it is not our child.
    static func reap(_ pid: pid_t) -> ProcessExitStatus? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { return ProcessExitStatus(waitStatus: status) }
            if result < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Reaps child `pid` if it has exited, without blocking; nil while it still runs or if it is not ours.
    static func reapIfExited(_ pid: pid_t) -> ProcessExitStatus? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid ? ProcessExitStatus(waitStatus: status) : nil
    }

    // MARK: descriptors

    /// Opens `path` with close-on-exec set.
    /// Files are owner-only unless asked otherwise: logs and node state live in the data directory, which holds
    /// Secrets; a pod reaches its log through the descriptor it inherits, never the path.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws(SystemCallError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw .current("open \(path)") }
        return fd
    }

    /// Makes a pipe whose two ends are close-on-exec and non-blocking.
    static func makeWakePipe() throws(SystemCallError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { throw .current("pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        return (fds[0], fds[1])
    }

    /// Creates every directory along `path` (like `mkdir -p`).
    static func makeDirectories(_ path: String) throws(SystemCallError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .current("mkdir \(current)")
            }
        }
    }

    /// Sets the permission bits of `path` (not limited by the umask, unlike `mkdir`).
    static func changeMode(_ path: String, _ mode: mode_t) throws(SystemCallError) {
        if chmod(path, mode) != 0 { throw .current("chmod \(path)") }
    }

    /// Gives `path` (not a symbolic link's target) to `uid`/`gid`.
    static func changeOwner(_ path: String, uid: uid_t, gid: gid_t) throws(SystemCallError) {
        if lchown(path, uid, gid) != 0 { throw .current("chown \(path)") }
    }

    /// Whether `path` names a regular file this process may execute.
    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    // MARK: spawning

    /// A uid and gid to run a child as.
    struct Identity {
        var uid: uid_t
        var gid: gid_t
    }

    /// Starts a container process (fork + exec in C, see `CProcessSpawn`): a new session and process group,
    /// member of the cgroups whose `cgroup.procs` descriptors are given, running as `identity` (nil: as we run),
    /// in `workingDirectory`, stdin from `/dev/null`, stdout and stderr to `output` (-1: `/dev/null`), every
    /// other descriptor closed, signals reset.
    static func spawnContainer(
        executable: String, arguments: [String], environment: [String], workingDirectory: String?,
        output: Int32, cgroupProcs: [Int32], identity: Identity?
    ) throws(SystemCallError) -> pid_t {
        let argv = CStringArray(arguments)
        let envp = CStringArray(environment)
        var pid: pid_t = 0
        var step: Int32 = 0
        let result = argv.withPointers { argvPointer in
            envp.withPointers { envpPointer in
                cgroupProcs.withUnsafeBufferPointer { cgroupFDs in
                    executable.withCString { executablePointer in
                        withOptionalCString(workingDirectory) { directoryPointer in
                            var options = gitopsd_spawn_options(
                                executable: executablePointer, argv: argvPointer, envp: envpPointer,
                                working_directory: directoryPointer, output_fd: output,
                                cgroup_procs_fds: cgroupFDs.baseAddress, cgroup_procs_fd_count: Int32(cgroupFDs.count),
                                change_identity: identity == nil ? 0 : 1, uid: identity?.uid ?? 0,
                                gid: identity?.gid ?? 0)
                            return gitopsd_spawn(&options, &pid, &step)
                        }
                    }
                }
            }
        }
        if result != 0 {
            throw SystemCallError(call: "spawn \(executable) (\(spawnStepName(step)))", errno: result)
        }
        return pid
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return string.withCString { body($0) }
    }

    private static func spawnStepName(_ step: Int32) -> String {
        switch Int(step) {
        case Int(GITOPSD_SPAWN_STEP_PIPE): "pipe"
        case Int(GITOPSD_SPAWN_STEP_FORK): "fork"
        case Int(GITOPSD_SPAWN_STEP_SETSID): "setsid"
        case Int(GITOPSD_SPAWN_STEP_CGROUP): "joining the cgroup"
        case Int(GITOPSD_SPAWN_STEP_SETGROUPS): "setgroups"
        case Int(GITOPSD_SPAWN_STEP_SETGID): "setgid"
        case Int(GITOPSD_SPAWN_STEP_SETUID): "setuid"
        case Int(GITOPSD_SPAWN_STEP_CHDIR): "chdir"
        case Int(GITOPSD_SPAWN_STEP_DESCRIPTORS): "standard descriptors"
        case Int(GITOPSD_SPAWN_STEP_EXEC): "execve"
        default: "step \(step)"
        }
    }
}

/// A NULL-terminated array of C strings owned for the duration of one call.
private final class CStringArray {
    private var pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    func withPointers<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        pointers.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                preconditionFailure("a C string array always holds its terminating nil")
            }
            return body(base)
        }
    }

    deinit {
        for pointer in pointers { free(pointer) }
    }
}
