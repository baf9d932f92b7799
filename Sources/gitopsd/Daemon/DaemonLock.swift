import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on a data directory held by the process that runs workloads from it (`serve`, or
/// `reconcile --once --wait`), so two of them never fight over the same pods.
///
/// `flock` is released by the kernel when the process dies, however it dies, so a crashed daemon never
/// leaves a stale lock. The file also records the holder's pid for the error message.
final class DaemonLock {
    private let descriptor: Int32
    let path: String

    /// Takes the lock, or throws naming the process that holds it.
    init(dataDirectory: String) throws {
        try FileManager.default.createDirectory(
            atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = (dataDirectory as NSString).appendingPathComponent("daemon.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw CLIError(
                "a gitopsd daemon (pid \(holder ?? "?")) is running on \(dataDirectory); stop it first, or apply "
                    + "through it (push to its repository, or use its API once --server is available)")
        }
        ftruncate(descriptor, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
