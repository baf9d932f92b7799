import API

/// Finds a pod's container logs for `gitopsd logs`, with kubectl's rules and messages: a pod with several
/// containers needs a container name, an unknown pod or container is an error.
public struct PodLogs: Sendable {
    /// The logs directory (`<data-dir>/logs`).
    public var logsDirectory: String

    /// Logs under `<dataDirectory>/logs`.
    public init(dataDirectory: String) {
        self.logsDirectory = "\(dataDirectory)/logs"
    }

    /// The log files of one container of a pod in the store.
    ///
    /// - Parameters:
    ///   - pod: the pod's name.
    ///   - namespace: its namespace.
    ///   - container: the container; may be omitted when the pod has exactly one.
    /// - Throws: `NodeError.Code.notFound` when the pod or container does not exist, `.invalidSpec` when a
    ///   container must be named; messages as kubectl prints them.
    public func logs(
        store: any ObjectStore, pod: String, namespace: String, container: String?
    ) async throws -> ContainerLogs {
        let object: Pod
        do {
            object = try Pod(try await store.get(ObjectKey(kind: Pod.resource.kind, namespace: namespace, name: pod)))
        } catch let error as StoreError where error.code == .notFound {
            throw NodeError(.notFound, "Error from server (NotFound): pods \"\(pod)\" not found")
        }
        let names = object.spec.containers.map(\.name)
        let chosen: String
        if let container {
            guard names.contains(container) else {
                throw NodeError(.notFound, "error: container \(container) is not valid for pod \(pod)")
            }
            chosen = container
        } else if names.count == 1, let only = names.first {
            chosen = only
        } else {
            throw NodeError(
                .invalidSpec,
                "error: a container name must be specified for pod \(pod), choose one of: [\(names.joined(separator: " "))]"
            )
        }
        return ContainerLogs(
            logsDirectory: logsDirectory, id: ContainerID(namespace: namespace, pod: pod, container: chosen))
    }
}
