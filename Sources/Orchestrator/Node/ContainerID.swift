/// Names one container of one pod on this node: `namespace/pod/container`.
public struct ContainerID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// The container's name within the pod.
    public var container: String

    /// Creates an identifier.
    public init(namespace: String, pod: String, container: String) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
    }

    public var description: String { "\(namespace)/\(pod)/\(container)" }

    public static func < (lhs: ContainerID, rhs: ContainerID) -> Bool {
        (lhs.namespace, lhs.pod, lhs.container) < (rhs.namespace, rhs.pod, rhs.container)
    }
}
