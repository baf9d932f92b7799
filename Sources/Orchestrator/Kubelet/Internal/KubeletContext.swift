import API
import Foundation

/// What every pod worker of one kubelet shares.
struct KubeletContext: Sendable {
    let store: any ObjectStore
    let runtime: any ContainerRuntime
    let ports: PortAllocator
    let nodeState: NodeStateStore
    let configuration: Kubelet.Configuration

    /// Records an event against a pod; a failure to record is not worth failing anything for.
    func event(_ key: ObjectKey, _ reason: String, _ message: String, warning: Bool = false) async {
        try? await store.recordEvent(
            ObjectEvent(
                involvedObject: key, reason: reason, message: message, type: warning ? .warning : .normal,
                source: "kubelet"))
    }

    /// Removes a pod's log directory and its working directories (on pod deletion).
    func removeLogs(namespace: String, pod: String) {
        try? FileManager.default.removeItem(atPath: "\(configuration.logsDirectory)/\(namespace)_\(pod)")
        try? FileManager.default.removeItem(atPath: "\(configuration.podsDirectory)/\(namespace)_\(pod)")
    }
}

/// Processes of a pod adopted after a gitopsd restart, handed to its worker.
struct Adoption: Sendable {
    /// The pod's node state as found on disk (ports, images), with only the adopted records left.
    var state: PodNodeState
    /// The adopted process of each container.
    var records: [String: ProcessRecord]
}
