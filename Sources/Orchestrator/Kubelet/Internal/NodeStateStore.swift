import Foundation
import Glibc

/// What the node agent keeps on disk about one pod so a restarted gitopsd can adopt its processes, or kill
/// them when the pod is gone: one JSON file per pod uid under `<data-dir>/node/pods/`.
struct PodNodeState: Sendable, Hashable, Codable {
    var namespace: String
    var name: String
    var uid: String
    /// The host ports allocated to the pod (its processes were started with them in their environment).
    var ports: [PortBinding]
    /// The grace period to stop the pod's processes with, in seconds.
    var gracePeriodSeconds: Int
    /// The image each container was started from (an adopted process must run the current image).
    var images: [String: String]
    /// The last process started for each container.
    var containers: [String: ProcessRecord]
}

/// Reads and writes `PodNodeState` files. Every write is atomic (a temporary file, fsync, rename), so a crash
/// leaves the old or the new state, never half of one.
struct NodeStateStore: Sendable {
    let directory: String

    init(directory: String) {
        self.directory = directory + "/pods"
    }

    private func path(_ uid: String) -> String {
        "\(directory)/\(uid.isEmpty ? "no-uid" : uid).json"
    }

    /// Every readable pod state; unreadable files are skipped and reported in `broken`.
    func loadAll() -> (states: [PodNodeState], broken: [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return ([], []) }
        var states: [PodNodeState] = []
        var broken: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let file = "\(directory)/\(name)"
            guard let data = FileManager.default.contents(atPath: file),
                let state = try? JSONDecoder().decode(PodNodeState.self, from: data)
            else {
                broken.append(file)
                continue
            }
            states.append(state)
        }
        return (states, broken)
    }

    /// Writes a pod's state atomically.
    func save(_ state: PodNodeState) throws(NodeError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(state))
        } catch {
            throw NodeError(.nodeState, "cannot encode the node state of pod \(state.namespace)/\(state.name)")
        }
        let target = path(state.uid)
        let temporary = target + ".tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw NodeError(.nodeState, "cannot create \(directory)")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw NodeError(.nodeState, "cannot write \(temporary)", cause: SystemCallError.current("open"))
        }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                let error = SystemCallError.current("write")
                close(fd)
                throw NodeError(.nodeState, "cannot write \(temporary)", cause: error)
            }
            written += result
        }
        fsync(fd)
        close(fd)
        guard rename(temporary, target) == 0 else {
            throw NodeError(.nodeState, "cannot replace \(target)", cause: SystemCallError.current("rename"))
        }
    }

    /// Forgets a pod's state.
    func remove(uid: String) {
        unlink(path(uid))
        unlink(path(uid) + ".tmp")
    }

    /// Removes a state file found unreadable.
    func removeFile(_ file: String) {
        unlink(file)
    }
}
