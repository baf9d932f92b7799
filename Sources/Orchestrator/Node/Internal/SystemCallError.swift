import Glibc

/// A failed system call and the `errno` read immediately after it (errno is thread-local).
struct SystemCallError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The call that failed, e.g. `"posix_spawn"`.
    var call: String
    /// The error number.
    var errno: Int32

    var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }

    /// Captures the current thread's `errno` for `call`.
    static func current(_ call: String) -> SystemCallError {
        SystemCallError(call: call, errno: Glibc.errno)
    }
}
