public import Foundation
import Glibc

/// A long-running child process (a test server) started with `posix_spawn`, stopped with SIGTERM.
///
/// Foundation's `Process` is not used for servers: on Linux it notices a child's exit through a socket the
/// child inherits, so a server that closes all inherited descriptors at start-up (sshd does) looks exited,
/// and Foundation then blocks its one monitoring thread in `waitpid` on it, stalling every other `Process`
/// in the test run.
public final class SpawnedProcess: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t
    /// The read end of the child's standard output, when it was captured.
    public let standardOutput: FileHandle?
    private var exited = false

    /// Starts `executable` with `arguments`; standard input is /dev/null, standard error is inherited.
    ///
    /// - Parameter captureOutput: pipe standard output to `standardOutput` instead of discarding it.
    public init(_ executable: String, _ arguments: [String], captureOutput: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var fds: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&fds) == 0 else {
                throw CommandFailure(command: executable, status: errno, standardError: "pipe failed")
            }
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_addclose(&actions, fds[0])
            posix_spawn_file_actions_addclose(&actions, fds[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // Children inherit the spawning thread's signal mask, and dispatch worker threads block most signals:
        // unblock everything and restore default handlers, or SIGTERM would never stop the server.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        if captureOutput { close(fds[1]) }
        guard result == 0 else {
            if captureOutput { close(fds[0]) }
            throw CommandFailure(command: executable, status: result, standardError: String(cString: strerror(result)))
        }
        pid = child
        standardOutput = captureOutput ? FileHandle(fileDescriptor: fds[0], closeOnDealloc: true) : nil
    }

    /// Reads one line of standard output (without the newline); nil at end of output.
    public func readLine() -> String? {
        guard let standardOutput else { return nil }
        var line = Data()
        while true {
            let byte = standardOutput.readData(ofLength: 1)
            if byte.isEmpty { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == Data([10]) { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }

    /// Sends SIGTERM and reaps the child.
    public func stop() {
        guard !exited else { return }
        exited = true
        kill(pid, SIGTERM)
        var status: Int32 = 0
        // Give it five seconds to exit cleanly, then make sure.
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(50_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }

    deinit {
        stop()
    }
}
