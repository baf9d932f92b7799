import Glibc

/// A container port to map to a host port.
public struct ContainerPortRequest: Sendable, Hashable, Codable {
    /// The container's name.
    public var container: String
    /// The port's name (`ports[].name`), if any.
    public var name: String?
    /// The port number the manifest declares (`containerPort`).
    public var containerPort: Int

    /// Creates a request.
    public init(container: String, name: String? = nil, containerPort: Int) {
        self.container = container
        self.name = name
        self.containerPort = containerPort
    }
}

/// A container port and the host port on 127.0.0.1 the process actually listens on; shown in pod status.
public struct PortBinding: Sendable, Hashable, Codable {
    /// The container's name.
    public var container: String
    /// The port's name, if any.
    public var name: String?
    /// The declared `containerPort`.
    public var containerPort: Int
    /// The allocated host port.
    public var hostPort: Int
    /// The address the process should listen on.
    public var hostIP: String

    /// Creates a binding.
    public init(container: String, name: String?, containerPort: Int, hostPort: Int, hostIP: String = "127.0.0.1") {
        self.container = container
        self.name = name
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.hostIP = hostIP
    }
}

/// Hands out free TCP ports on 127.0.0.1, one per container port of a pod, and takes them back when the pod
/// goes away.
///
/// A port is found by binding a socket to port 0 and reading the port the kernel chose; the socket is closed
/// again, so the port is free for the container to bind. Ports this allocator holds are never handed out twice.
/// Another program on the machine could still take a port between allocation and the container's bind; that
/// race is accepted (the container then fails to bind and restarts).
public actor PortAllocator {
    /// The address ports are allocated on.
    public nonisolated let hostIP = "127.0.0.1"
    private var byPod: [PodKey: [PortBinding]] = [:]
    private var inUse: Set<Int> = []

    private struct PodKey: Hashable {
        var namespace: String
        var pod: String
    }

    /// Creates an allocator holding no ports.
    public init() {}

    /// Returns host ports for the pod's container ports, allocating those not yet bound. Asking again for the
    /// same pod returns the same ports for the same requests (so a restarted container keeps its ports).
    ///
    /// - Throws: `NodeError.Code.portsExhausted` when the kernel offers no usable port.
    public func allocate(namespace: String, pod: String, ports: [ContainerPortRequest]) throws(NodeError)
        -> [PortBinding]
    {
        let key = PodKey(namespace: namespace, pod: pod)
        var bindings = byPod[key] ?? []
        var result: [PortBinding] = []
        for request in ports {
            if let existing = bindings.first(where: {
                $0.container == request.container && $0.containerPort == request.containerPort
                    && $0.name == request.name
            }) {
                result.append(existing)
                continue
            }
            let hostPort = try freePort()
            inUse.insert(hostPort)
            let binding = PortBinding(
                container: request.container, name: request.name, containerPort: request.containerPort,
                hostPort: hostPort, hostIP: hostIP)
            bindings.append(binding)
            result.append(binding)
        }
        byPod[key] = bindings
        return result
    }

    /// The ports currently held for a pod.
    public func bindings(namespace: String, pod: String) -> [PortBinding] {
        byPod[PodKey(namespace: namespace, pod: pod)] ?? []
    }

    /// Releases every port of a pod (on pod removal).
    public func release(namespace: String, pod: String) {
        let bindings = byPod.removeValue(forKey: PodKey(namespace: namespace, pod: pod)) ?? []
        for binding in bindings { inUse.remove(binding.hostPort) }
    }

    /// Marks ports as held, for example those of pods adopted after a gitopsd restart.
    public func reserve(namespace: String, pod: String, bindings: [PortBinding]) {
        let key = PodKey(namespace: namespace, pod: pod)
        var held = byPod[key] ?? []
        for binding in bindings where !held.contains(binding) {
            held.append(binding)
            inUse.insert(binding.hostPort)
        }
        byPod[key] = held
    }

    private func freePort() throws(NodeError) -> Int {
        for _ in 0..<64 {
            let port = try Self.kernelChosenPort()
            if !inUse.contains(port) { return port }
        }
        throw NodeError(.portsExhausted, "no free port on \(hostIP) that is not already allocated")
    }

    /// Binds a socket to 127.0.0.1:0 and returns the port the kernel picked.
    private static func kernelChosenPort() throws(NodeError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw NodeError(.portsExhausted, "cannot allocate a port", cause: SystemCallError.current("socket"))
        }
        defer { close(fd) }
        var address = IPv4SocketAddress.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            throw NodeError(.portsExhausted, "cannot allocate a port", cause: SystemCallError.current("bind"))
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            throw NodeError(.portsExhausted, "cannot allocate a port", cause: SystemCallError.current("getsockname"))
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
