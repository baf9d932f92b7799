/// The one error type of the GitSource module.
///
/// It says what went wrong in words a user can act on (`message`), what the loop that called us should do about
/// it (`code`), and, when libgit2 failed, the C function that failed and libgit2's own message, read on the
/// failing thread right after the call (libgit2 keeps its last error per thread).
public struct GitSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; callers branch on it (retry, wait, stop).
    public enum Code: String, Sendable, Hashable, Codable {
        /// The repository, reference, commit or path does not exist.
        case notFound
        /// The remote refused the credentials, or asked for credentials that were not configured.
        case authenticationFailed
        /// The SSH host key is unknown or does not match the known_hosts file, or a TLS certificate is invalid.
        case hostKeyRejected
        /// The remote could not be reached (connection refused, DNS, timeouts, protocol errors).
        case unreachable
        /// The configuration is invalid (bad URL, `--path` leaving the repository, conflicting options).
        case invalidConfiguration
        /// A symlink under `--path` resolves outside it.
        case symlinkEscapesPath
        /// The tree holds something gitopsd does not follow, such as a submodule.
        case unsupported
        /// A tree holds an entry git itself refuses (`git fsck`): an empty name, a name with `/`, or one that is
        /// `.`, `..` or `.git` (in any case).
        case invalidTree
        /// A manifest file is larger than the configured limit.
        case fileTooLarge
        /// A revert conflicts with later changes.
        case conflict
        /// The remote rejected a push (for example because the branch moved meanwhile).
        case pushRejected
        /// Any other libgit2 failure.
        case failed
    }

    /// What kind of failure this is.
    public var code: Code
    /// What gitopsd was doing and what went wrong, for a person.
    public var message: String
    /// The libgit2 function that failed, if a libgit2 call failed.
    public var call: String?
    /// libgit2's own message for the failure, if any.
    public var libgit2Message: String?
    /// libgit2's numeric return code (`git_error_code`), if a libgit2 call failed.
    public var libgit2Code: Int32?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, call: String? = nil, libgit2Message: String? = nil, libgit2Code: Int32? = nil
    ) {
        self.code = code
        self.message = message
        self.call = call
        self.libgit2Message = libgit2Message
        self.libgit2Code = libgit2Code
    }

    /// One line: the message, then libgit2's message and the failing call when there is one.
    public var description: String {
        var text = message
        if let libgit2Message, !libgit2Message.isEmpty, !message.contains(libgit2Message) {
            text += ": \(libgit2Message)"
        }
        if let call {
            text += " (\(call))"
        }
        return text
    }

    /// Returns a copy whose message is prefixed with what the caller was doing, keeping code and cause.
    func context(_ prefix: String) -> GitSourceError {
        var copy = self
        copy.message = "\(prefix): \(message)"
        return copy
    }
}
