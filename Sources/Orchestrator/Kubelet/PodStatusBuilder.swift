public import API
public import Foundation

/// Computes a Pod's `status` from its containers' statuses, the way the kubelet does: phase, the conditions
/// `PodScheduled`, `Initialized`, `ContainersReady` and `Ready`, IPs, start time and `containerStatuses`.
///
/// Pure: the previous status goes in so that a condition's `lastTransitionTime` only moves when its status
/// changes (the ReplicaSet controller measures `minReadySeconds` from Ready's), and a terminal phase is kept.
public struct PodStatusBuilder: Sendable {
    /// The pod's and the node's address.
    public var podIP: String
    /// The node's address.
    public var hostIP: String

    /// Creates a builder.
    public init(podIP: String = "127.0.0.1", hostIP: String = "127.0.0.1") {
        self.podIP = podIP
        self.hostIP = hostIP
    }

    /// The status for `pod`.
    ///
    /// - Parameters:
    ///   - pod: the pod, with the status last written (for transition times and the terminal phase).
    ///   - containers: the node's view of each container by name; a container missing here is reported as
    ///     `waiting/ContainerCreating`.
    ///   - startTime: when the node agent acknowledged the pod.
    ///   - now: the time to stamp on changed conditions.
    public func status(
        for pod: Pod, containers: [String: ContainerStatus], startTime: Date, now: Date = Date()
    ) -> PodStatus {
        var status = pod.status
        let statuses = pod.spec.containers.map { containers[$0.name] ?? ContainerStatus(name: $0.name) }
        let previousPhase = pod.status.phase
        if previousPhase == "Succeeded" || previousPhase == "Failed" {
            status.phase = previousPhase
        } else {
            status.phase = Self.phase(
                statuses, restartPolicy: RestartPolicy(rawValue: pod.spec.restartPolicy ?? "") ?? .always)
        }
        status.hostIP = hostIP
        status.podIP = podIP
        status.podIPs = [podIP]
        if status.startTime == nil { status.startTime = KubeletTimestamp.format(startTime) }
        status.containerStatuses = zip(pod.spec.containers, statuses).map { container, node in
            Self.apiStatus(node, image: container.image ?? "")
        }

        let terminal = status.phase == "Succeeded" || status.phase == "Failed"
        let unready = statuses.filter { !$0.ready }.map(\.name)
        var containersReady = Condition(type: "ContainersReady", status: unready.isEmpty ? "True" : "False")
        var ready = Condition(type: "Ready", status: containersReady.status)
        if terminal {
            containersReady = Condition(type: "ContainersReady", status: "False", reason: "PodCompleted")
            ready = Condition(type: "Ready", status: "False", reason: "PodCompleted")
        } else if !unready.isEmpty {
            let message = "containers with unready status: [\(unready.joined(separator: " "))]"
            containersReady.reason = "ContainersNotReady"
            containersReady.message = message
            ready.reason = "ContainersNotReady"
            ready.message = message
        }
        let fresh = [
            Condition(type: "PodScheduled", status: "True"),
            Condition(type: "Initialized", status: "True"),
            containersReady,
            ready,
        ]
        let stamp = KubeletTimestamp.format(now)
        var conditions = pod.status.conditions.filter { condition in !fresh.contains { $0.type == condition.type } }
        for var condition in fresh {
            let previous = pod.status.conditions.first { $0.type == condition.type }
            if let previous, previous.status == condition.status, let time = previous.lastTransitionTime {
                condition.lastTransitionTime = time
            } else {
                condition.lastTransitionTime = stamp
            }
            condition.lastProbeTime = previous?.lastProbeTime
            conditions.append(condition)
        }
        let order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        status.conditions = conditions.sorted {
            (order.firstIndex(of: $0.type) ?? order.count, $0.type) < (
                order.firstIndex(of: $1.type) ?? order.count, $1.type
            )
        }
        return status
    }

    /// The pod phase from its containers, as the kubelet's `getPhase` decides it.
    public static func phase(_ containers: [ContainerStatus], restartPolicy: RestartPolicy) -> String {
        var running = 0
        var waiting = 0
        var stopped = 0
        var succeeded = 0
        for container in containers {
            switch container.state {
            case .running:
                running += 1
            case .terminated(let terminated):
                stopped += 1
                if terminated.exitCode == 0 { succeeded += 1 }
            case .waiting:
                if case .terminated? = container.lastState {
                    stopped += 1
                } else {
                    waiting += 1
                }
            }
        }
        if waiting > 0 { return "Pending" }
        if running > 0 { return "Running" }
        if stopped > 0 {
            if restartPolicy == .always { return "Running" }
            if stopped == succeeded { return "Succeeded" }
            if restartPolicy == .never { return "Failed" }
            return "Running"
        }
        return "Pending"
    }

    /// The API form of a container's status.
    public static func apiStatus(_ status: ContainerStatus, image: String) -> API.ContainerStatus {
        var result = API.ContainerStatus(name: status.name)
        result.state = apiState(status.state)
        result.lastState = status.lastState.map(apiState)
        result.ready = status.ready
        result.started = status.started
        result.restartCount = status.restartCount
        result.image = image
        return result
    }

    /// The API form of a container state.
    public static func apiState(_ state: ContainerState) -> API.ContainerState {
        var result = API.ContainerState()
        switch state {
        case .waiting(let reason, let message):
            result.isWaiting = true
            result.waitingReason = reason
            result.waitingMessage = message
        case .running(let startedAt):
            result.isRunning = true
            result.runningStartedAt = KubeletTimestamp.format(startedAt)
        case .terminated(let terminated):
            var api = ContainerStateTerminated(exitCode: Int(terminated.exitCode))
            api.signal = terminated.signal.map(Int.init)
            api.reason = terminated.reason
            api.message = terminated.message
            api.startedAt = KubeletTimestamp.format(terminated.startedAt)
            api.finishedAt = KubeletTimestamp.format(terminated.finishedAt)
            result.terminated = api
        }
        return result
    }

    /// The node form of a reported container state (to continue from after a gitopsd restart); nil when empty.
    public static func nodeState(_ state: API.ContainerState?) -> ContainerState? {
        guard let state else { return nil }
        if let terminated = state.terminated {
            let started = terminated.startedAt.flatMap(KubeletTimestamp.parse) ?? Date(timeIntervalSince1970: 0)
            let finished = terminated.finishedAt.flatMap(KubeletTimestamp.parse) ?? started
            return .terminated(
                TerminatedState(
                    exitCode: Int32(clamping: terminated.exitCode),
                    signal: terminated.signal.map { Int32(clamping: $0) },
                    reason: terminated.reason ?? (terminated.exitCode == 0 ? "Completed" : "Error"),
                    message: terminated.message, startedAt: started, finishedAt: finished))
        }
        if state.isRunning {
            return .running(startedAt: state.runningStartedAt.flatMap(KubeletTimestamp.parse) ?? Date())
        }
        if state.isWaiting {
            return .waiting(reason: state.waitingReason ?? "ContainerCreating", message: state.waitingMessage)
        }
        return nil
    }
}
