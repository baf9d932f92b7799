/// One environment variable, already resolved to its final value.
public struct EnvironmentVariable: Sendable, Hashable, Codable {
    /// The variable's name.
    public var name: String
    /// The variable's value.
    public var value: String

    /// Creates a variable.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// What the runtime needs to start one container as a process: the node agent's own narrow view of a
/// container, free of API types. The pod-level controller builds it from a Pod.
public struct ContainerSpec: Sendable, Hashable, Codable {
    /// Which container this is.
    public var id: ContainerID
    /// The executable and its leading arguments (Kubernetes `command`). Must not be empty. A first element
    /// without a `/` is looked up on the `PATH` of `environment` (or gitopsd's own `PATH`).
    public var command: [String]
    /// Further arguments (Kubernetes `args`), appended to `command`.
    public var args: [String]
    /// The complete environment, in order; a later entry wins over an earlier one of the same name. The caller
    /// resolves `env`, `envFrom` and adds the runtime variables (see `RuntimeEnvironment`).
    public var environment: [EnvironmentVariable]
    /// The working directory, or nil for the runtime's default: a directory of the container's own (never
    /// gitopsd's current directory).
    public var workingDirectory: String?

    /// Creates a spec.
    public init(
        id: ContainerID, command: [String], args: [String] = [], environment: [EnvironmentVariable] = [],
        workingDirectory: String? = nil
    ) {
        self.id = id
        self.command = command
        self.args = args
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}
