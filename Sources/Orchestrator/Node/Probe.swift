/// A container health check (`livenessProbe`, `readinessProbe`, `startupProbe`): one handler plus timing.
public struct Probe: Sendable, Hashable, Codable {
    /// How the check is made; exactly one per probe.
    public enum Handler: Sendable, Hashable, Codable {
        /// An HTTP GET; status 200–399 is success.
        case httpGet(HTTPGetAction)
        /// A TCP connect; success if it connects.
        case tcpSocket(TCPSocketAction)
        /// A command; success if it exits 0 within the timeout.
        case exec(ExecAction)
    }

    /// Timing and thresholds; the defaults are Kubernetes'.
    public struct Configuration: Sendable, Hashable, Codable {
        /// Wait this long after the container starts before the first check (`initialDelaySeconds`, 0).
        public var initialDelay: Duration
        /// Time between checks (`periodSeconds`, 10 s).
        public var period: Duration
        /// A check that takes longer fails (`timeoutSeconds`, 1 s).
        public var timeout: Duration
        /// Consecutive successes that flip a failed probe to success (`successThreshold`, 1).
        public var successThreshold: Int
        /// Consecutive failures that flip the probe to failure (`failureThreshold`, 3).
        public var failureThreshold: Int

        /// Creates a configuration; omitted values take Kubernetes' defaults.
        public init(
            initialDelay: Duration = .zero, period: Duration = .seconds(10), timeout: Duration = .seconds(1),
            successThreshold: Int = 1, failureThreshold: Int = 3
        ) {
            self.initialDelay = initialDelay
            self.period = period
            self.timeout = timeout
            self.successThreshold = max(successThreshold, 1)
            self.failureThreshold = max(failureThreshold, 1)
        }
    }

    /// The check.
    public var handler: Handler
    /// Its timing.
    public var configuration: Configuration

    /// Creates a probe.
    public init(_ handler: Handler, configuration: Configuration = Configuration()) {
        self.handler = handler
        self.configuration = configuration
    }
}

/// A probe's target port: a number, or the name of one of the container's ports.
public enum ProbePort: Sendable, Hashable, Codable {
    /// A container port number (mapped to its host port when the container declares it).
    case number(Int)
    /// A named container port.
    case name(String)
}

/// One HTTP header sent by an HTTP probe.
public struct HTTPHeader: Sendable, Hashable, Codable {
    /// The header name.
    public var name: String
    /// The header value.
    public var value: String

    /// Creates a header.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// `httpGet`: a plain HTTP/1.1 GET.
public struct HTTPGetAction: Sendable, Hashable, Codable {
    /// The request path (default `/`).
    public var path: String
    /// The port.
    public var port: ProbePort
    /// The host to connect to (default: the pod IP, 127.0.0.1).
    public var host: String?
    /// Extra request headers.
    public var headers: [HTTPHeader]

    /// Creates an action.
    public init(path: String = "/", port: ProbePort, host: String? = nil, headers: [HTTPHeader] = []) {
        self.path = path
        self.port = port
        self.host = host
        self.headers = headers
    }
}

/// `tcpSocket`: a TCP connect.
public struct TCPSocketAction: Sendable, Hashable, Codable {
    /// The port.
    public var port: ProbePort
    /// The host to connect to (default: the pod IP, 127.0.0.1).
    public var host: String?

    /// Creates an action.
    public init(port: ProbePort, host: String? = nil) {
        self.port = port
        self.host = host
    }
}

/// `exec`: a command run with the container's environment and working directory.
public struct ExecAction: Sendable, Hashable, Codable {
    /// The command and its arguments.
    public var command: [String]

    /// Creates an action.
    public init(command: [String]) {
        self.command = command
    }
}

/// Which of a container's probes.
public enum ProbeKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Gates the other two until it first succeeds; failing it kills the container.
    case startup
    /// Failing it kills the container.
    case liveness
    /// Its result is the container's readiness.
    case readiness
}

/// The result of one check.
public enum ProbeOutcome: Sendable, Hashable {
    /// The check passed.
    case success
    /// The check failed, with why.
    case failure(String)
    /// The check could not be made (an error on gitopsd's side); it changes nothing.
    case unknown(String)
}
