import Foundation
import Glibc
import Synchronization

/// Notices process exits promptly on one dedicated thread, without ever calling `waitpid(-1)`.
///
/// Each watched process gets a pidfd; the thread `poll`s all of them plus a wake-up pipe. A pidfd becomes
/// readable when its process exits, whether or not gitopsd is its parent, so the same path serves children
/// (which the thread then reaps with `waitpid(pid)` to read the status and leave no zombie) and processes
/// adopted after a gitopsd restart (no status can be read). Waiting per pid, never on "any child", keeps
/// other code in the same process (Foundation's `Process`, tests) from losing its children's statuses.
///
/// Before the leader is reaped, the thread sends SIGKILL to its process group so helpers a container left
/// behind die with it, as they would with their container in Kubernetes. The leader is still a zombie then, so
/// its pid (the group id) cannot have been reused.
///
/// Kernels without pidfd (before 5.3) fall back to checking every 100 ms.
final class ExitMonitor: Sendable {
    /// The monitor shared by everything in this process: one thread for all runtimes and exec probes.
    static let shared = ExitMonitor()

    private struct Entry {
        var pid: pid_t
        /// Open pidfd, or -1 when polling `/proc` instead.
        var pidfd: Int32
        /// Whether this process is our child, to be reaped.
        var reap: Bool
        /// `/proc` start time, to tell a reused pid apart in the fallback path.
        var startTime: UInt64?
        var future: ExitFuture
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        var nextKey = 0
        var wakePipe: (read: Int32, write: Int32)?
    }

    private let state = Mutex(State())

    /// Starts watching `pid` and returns the future its exit resolves.
    ///
    /// - Parameters:
    ///   - pid: the process to watch.
    ///   - reap: true for our own children (the status is read and the zombie reaped), false for adopted ones.
    ///   - startTime: the expected `/proc` start time, checked by the fallback path.
    func watch(_ pid: pid_t, reap: Bool, startTime: UInt64? = nil) throws(SystemCallError) -> ExitFuture {
        let future = ExitFuture()
        var pidfd: Int32 = -1
        do {
            pidfd = try Posix.pidfdOpen(pid)
        } catch  where error.errno == ESRCH {
            // Already gone, and already reaped by someone else.
            future.resolve(ObservedExit(status: .unknown, time: Date()))
            return future
        } catch  where error.errno == ENOSYS {
            pidfd = -1
        }
        let wakeFD: Int32 = try state.withLock { (state: inout State) throws(SystemCallError) -> Int32 in
            if state.wakePipe == nil {
                let pipe = try Posix.makeWakePipe()
                state.wakePipe = pipe
                let thread = Thread { [self] in self.run(wakeRead: pipe.read) }
                thread.name = "gitopsd-exit-monitor"
                thread.start()
            }
            state.entries[state.nextKey] = Entry(
                pid: pid, pidfd: pidfd, reap: reap, startTime: startTime, future: future)
            state.nextKey += 1
            return state.wakePipe?.write ?? -1
        }
        var byte: UInt8 = 1
        _ = Glibc.write(wakeFD, &byte, 1)
        return future
    }

    /// The thread body: runs for the life of the process.
    private func run(wakeRead: Int32) {
        while true {
            let snapshot = state.withLock { $0.entries }
            var pollFDs = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            var keys: [Int] = []
            var needsFallback = false
            for (key, entry) in snapshot {
                if entry.pidfd >= 0 {
                    pollFDs.append(pollfd(fd: entry.pidfd, events: Int16(POLLIN), revents: 0))
                    keys.append(key)
                } else {
                    needsFallback = true
                }
            }
            let result = poll(&pollFDs, nfds_t(pollFDs.count), needsFallback ? 100 : -1)
            if result < 0 { continue }  // EINTR
            if pollFDs[0].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                while Glibc.read(wakeRead, &buffer, buffer.count) > 0 {}
            }
            for (index, key) in keys.enumerated() where pollFDs[index + 1].revents != 0 {
                if let entry = snapshot[key] { finish(key, entry) }
            }
            if needsFallback {
                for (key, entry) in snapshot where entry.pidfd < 0 && hasExited(entry) {
                    finish(key, entry)
                }
            }
        }
    }

    /// The fallback check used without pidfd.
    private func hasExited(_ entry: Entry) -> Bool {
        guard let stat = ProcStat.read(entry.pid) else { return true }
        if let expected = entry.startTime, stat.startTime != expected { return true }
        return stat.state == "Z"
    }

    private func finish(_ key: Int, _ entry: Entry) {
        state.withLock { _ = $0.entries.removeValue(forKey: key) }
        Posix.signalGroup(entry.pid, SIGKILL)
        var status = ProcessExitStatus.unknown
        if entry.reap, let reaped = Posix.reap(entry.pid) {
            status = reaped
        }
        if entry.pidfd >= 0 { close(entry.pidfd) }
        entry.future.resolve(ObservedExit(status: status, time: Date()))
    }
}
