/// An error from the networking data plane: allocators, Service proxies and the Ingress router.
///
/// Errors are values reported per object (a Service port that could not bind, an address that is already taken),
/// so the controller feeding the data plane can write them to the object's status and events.
public struct NetworkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in a form callers can switch over.
    public enum Code: String, Sendable, Hashable {
        /// An address, CIDR, port or certificate given as input could not be parsed or is not allowed.
        case invalidArgument
        /// A requested IP address or port lies outside the allocator's range.
        case outOfRange
        /// A requested IP address or port is already allocated to something else.
        case alreadyAllocated
        /// Every IP address or port in the range is allocated.
        case rangeExhausted
        /// A listener could not bind its address (port in use, privileged port, address not local).
        case bindFailed
        /// A PEM certificate chain or private key could not be loaded.
        case invalidCertificate
        /// The component was shut down.
        case shutDown
    }

    /// What went wrong.
    public var code: Code
    /// A sentence for people: what failed and on which input.
    public var message: String
    /// The underlying error's description, when another layer (the OS, TLS library) reported it.
    public var cause: String?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    init(_ code: Code, _ message: String, underlying: any Error) {
        self.init(code, message, cause: String(describing: underlying))
    }

    public var description: String {
        cause.map { "\(message): \($0)" } ?? message
    }
}
