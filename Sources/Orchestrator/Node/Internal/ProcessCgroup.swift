import Foundation
import Glibc

/// The cgroup (v1) that holds every process of one container run, so a stop reaches processes that left the
/// container's process group or session (`setsid`, double forks), which a group signal never does.
///
/// Each run gets `<hierarchy>/gitopsd/<namespace>_<pod>_<container>.<random>`: the random part keeps two runtimes
/// on one machine (tests, a second daemon) apart, and the path is kept in the `ProcessRecord` so a restarted
/// gitopsd stops the same cgroup. The hierarchy is the `freezer` one when mounted (a stop freezes the cgroup,
/// signals every member and thaws it, so nothing can fork between reading the member list and the signal),
/// else `pids` or `name=systemd` (signalled without freezing, repeated until empty).
/// The child joins the cgroup itself between fork and exec (see `CProcessSpawn`), before it can fork.
struct ProcessCgroup: Sendable, Hashable {
    /// A mounted cgroup v1 hierarchy gitopsd can create cgroups in.
    struct Hierarchy: Sendable, Hashable {
        /// The mount point, e.g. `/sys/fs/cgroup/freezer`.
        var mountPoint: String
        /// Whether it is the freezer controller's.
        var canFreeze: Bool

        /// `<mount>/gitopsd`, the parent of every container's cgroup.
        var parent: String { mountPoint + "/gitopsd" }

        /// The first usable hierarchy of `/proc/self/mounts` (freezer, then pids, then name=systemd) whose
        /// `gitopsd` parent exists or can be made; nil when none can (cgroup v2 only, not root, read-only
        /// `/sys/fs/cgroup`).
        static func find(mounts: String = "/proc/self/mounts") -> Hierarchy? {
            guard let table = try? String(contentsOfFile: mounts, encoding: .utf8) else { return nil }
            var candidates: [String: String] = [:]
            for line in table.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 4, fields[2] == "cgroup" else { continue }
                for option in fields[3].split(separator: ",") where candidates[String(option)] == nil {
                    candidates[String(option)] = String(fields[1])
                }
            }
            for controller in ["freezer", "pids", "name=systemd"] {
                guard let mountPoint = candidates[controller] else { continue }
                let hierarchy = Hierarchy(mountPoint: mountPoint, canFreeze: controller == "freezer")
                if mkdir(hierarchy.parent, 0o755) == 0 || errno == EEXIST,
                    access(hierarchy.parent + "/cgroup.procs", W_OK) == 0
                {
                    return hierarchy
                }
            }
            return nil
        }
    }

    /// The cgroup's directory.
    let path: String

    /// Makes a fresh cgroup for one run of container `id`.
    static func create(for id: ContainerID, in hierarchy: Hierarchy) throws(SystemCallError) -> ProcessCgroup {
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let name = "\(id.namespace)_\(id.pod)_\(id.container).\(token)".replacingOccurrences(of: "/", with: "_")
        let path = "\(hierarchy.parent)/\(name)"
        if mkdir(path, 0o755) != 0 { throw .current("mkdir \(path)") }
        return ProcessCgroup(path: path)
    }

    /// Opens `cgroup.procs` for the child to write its pid into; the caller closes it after spawning.
    func openProcs() throws(SystemCallError) -> Int32 {
        try Posix.open(path + "/cgroup.procs", O_WRONLY)
    }

    /// The pids in the cgroup now; empty once it is gone.
    var members: [pid_t] {
        guard let text = try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    private var canFreeze: Bool { access(path + "/freezer.state", W_OK) == 0 }

    /// Sends `signal` to every process in the cgroup, frozen meanwhile when the hierarchy can freeze (so no
    /// member forks a child the signal would miss).
    ///
    /// - Returns: how many processes were signalled.
    @discardableResult
    func signalAll(_ signal: Int32) -> Int {
        // Thawed whenever the freeze was asked for, reached or not: a freeze that is still in progress (FREEZING,
        // under load) completes later on its own, and a cgroup left FROZEN would hold its members forever.
        let freezing = canFreeze && writeFreezer("FROZEN")
        if freezing { _ = awaitFreezer("FROZEN") }
        let targets = members.filter { $0 > 1 }
        for pid in targets { _ = kill(pid, signal) }
        if freezing {
            for _ in 0..<3 where writeFreezer("THAWED") && awaitFreezer("THAWED") { break }
        }
        return targets.count
    }

    /// SIGKILLs every member until the cgroup is empty, then removes it. Waits at most `timeout`; returns
    /// whether the cgroup is gone.
    @discardableResult
    func destroy(timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            guard FileManager.default.fileExists(atPath: path) else { return true }
            if members.isEmpty, rmdir(path) == 0 || errno == ENOENT { return true }
            signalAll(SIGKILL)
            if ContinuousClock.now >= deadline { return false }
            // Not `Task.sleep`: a stop from a cancelled task must still wait for the members to be gone.
            usleep(5_000)
        }
    }

    private func writeFreezer(_ state: String) -> Bool {
        (try? state.write(toFile: path + "/freezer.state", atomically: false, encoding: .utf8)) != nil
    }

    /// Waits (briefly: a task in uninterruptible sleep can hold a freeze off) until the kernel reports `state`.
    private func awaitFreezer(_ state: String) -> Bool {
        let file = path + "/freezer.state"
        for _ in 0..<200 {
            let current = try? String(contentsOfFile: file, encoding: .utf8)
            if current?.trimmingCharacters(in: .whitespacesAndNewlines) == state { return true }
            usleep(500)
        }
        return false
    }
}
