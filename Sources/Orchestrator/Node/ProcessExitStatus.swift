/// How a process ended, as far as gitopsd could observe it.
public enum ProcessExitStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The process called `exit` with this code.
    case exited(code: Int32)
    /// The process was killed by this signal.
    case signaled(signal: Int32)
    /// The process ended but its status could not be read: it was adopted after a gitopsd restart, so
    /// gitopsd is not its parent and cannot `waitpid` it.
    case unknown

    /// Decodes a `waitpid` status word (the C macros are not importable).
    init(waitStatus status: Int32) {
        let low = status & 0x7f
        if low == 0 {
            self = .exited(code: (status >> 8) & 0xff)
        } else {
            self = .signaled(signal: low)
        }
    }

    /// The exit code Kubernetes reports: the code itself, 128 + signal for a signal death, 255 when unknown.
    public var exitCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        case .unknown: 255
        }
    }

    /// Whether this counts as success for `restartPolicy: OnFailure` and the `Completed` reason.
    public var isSuccess: Bool { self == .exited(code: 0) }

    public var description: String {
        switch self {
        case .exited(let code): "exited with code \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .unknown: "exited (status unknown)"
        }
    }
}
