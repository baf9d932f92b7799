/// An error from the node agent: the process runtime, ports, probes or logs.
///
/// Each error says what went wrong (`code`), in words a user can act on (`message`), what caused it
/// underneath (`cause`, often a failed system call) and where in gitopsd it was raised.
public struct NodeError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; callers branch on it.
    public enum Code: String, Sendable, Hashable, Codable {
        /// The container spec cannot run as given (for example, it has no command).
        case invalidSpec
        /// The command is not an executable file, or not found on `PATH`.
        case executableNotFound
        /// The process could not be started.
        case spawnFailed
        /// A container with this identity is already running in this runtime.
        case alreadyRunning
        /// No container with this identity is known to this runtime.
        case notFound
        /// A recorded process no longer exists (it exited while nobody watched).
        case processGone
        /// A recorded pid now belongs to a different process (pid reused), so it is not adopted.
        case processMismatch
        /// No free host port could be found.
        case portsExhausted
        /// Reading or writing a log file failed.
        case logIO
        /// Another system call failed.
        case systemCall
        /// A container's configuration cannot be resolved: a ConfigMap, Secret or key its environment needs is
        /// missing, a field reference is unsupported, or it has no command (`CreateContainerConfigError`).
        case containerConfig
        /// Node state on disk (the records kept for adoption) cannot be read or written.
        case nodeState
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?
    /// Where the error was raised (`file:line`).
    public var location: String

    /// Creates an error; `file` and `line` default to the caller's position.
    public init(
        _ code: Code, _ message: String, cause: (any Error & Sendable)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.location = "\(file):\(line)"
    }

    public var description: String {
        if let cause {
            return "\(message): \(cause)"
        }
        return message
    }
}
