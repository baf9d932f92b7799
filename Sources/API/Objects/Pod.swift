/// `v1` Pod: containers run together on the node.
public struct Pod: KubernetesObject {
    public static let resource = ResourceKind.pod
    public var metadata = ObjectMeta()
    public var spec = PodSpec()
    public var status = PodStatus()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec = PodSpec()) {
        self.metadata = metadata
        self.spec = spec
    }

    public init(_ value: Value) throws(APIError) { self = try ObjectDecoding.decode(Self.self, value) }
}

/// `Pod.status`, written by the node agent.
public struct PodStatus: Sendable, Hashable {
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    public var phase: String?
    public var conditions: [Condition] = []
    public var message: String?
    public var reason: String?
    public var hostIP: String?
    public var podIP: String?
    public var podIPs: [String] = []
    public var startTime: String?
    public var containerStatuses: [ContainerStatus] = []
    public var initContainerStatuses: [ContainerStatus] = []
    /// qosClass, nominatedNodeName, ... kept as written.
    public var retainedFields: [String: Value] = [:]
    public init() {}
}

/// `status.containerStatuses[]`.
public struct ContainerStatus: Sendable, Hashable {
    public var name = ""
    public var state: ContainerState?
    public var lastState: ContainerState?
    public var ready = false
    public var restartCount = 0
    public var image = ""
    public var imageID = ""
    public var containerID: String?
    public var started: Bool?
    public var retainedFields: [String: Value] = [:]
    public init(name: String = "") { self.name = name }
}

/// One of waiting, running or terminated.
public struct ContainerState: Sendable, Hashable {
    public var waitingReason: String?
    public var waitingMessage: String?
    public var runningStartedAt: String?
    public var terminated: ContainerStateTerminated?
    public var isWaiting = false
    public var isRunning = false
    public init() {}
}

/// `state.terminated`.
public struct ContainerStateTerminated: Sendable, Hashable {
    public var exitCode = 0
    public var signal: Int?
    public var reason: String?
    public var message: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var containerID: String?
    public init(exitCode: Int = 0) { self.exitCode = exitCode }
}

extension Pod: ValueCodable {
    static let statusFields: Set<String> = [
        "phase", "conditions", "message", "reason", "hostIP", "podIP", "podIPs", "startTime", "containerStatuses",
        "initContainerStatuses",
    ]
    static let statusRetained: Set<String> = [
        "hostIPs", "nominatedNodeName", "qosClass", "ephemeralContainerStatuses", "resize", "resourceClaimStatuses",
        "observedGeneration", "extendedResourceClaimStatus",
    ]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Pod? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Pod") else { return nil }
        r.checkFields(["apiVersion", "kind", "metadata", "spec", "status"], type: "Pod")
        r.checkTypeMeta(resource)
        var p = Pod(metadata: r.object("metadata") ?? ObjectMeta(), spec: r.object("spec") ?? PodSpec())
        if let s = ObjectReader.nested(r, "status", type: "PodStatus", fields: statusFields, retained: statusRetained) {
            p.status.phase = s("phase")
            p.status.conditions = s.list("conditions")
            p.status.message = s("message")
            p.status.reason = s("reason")
            p.status.hostIP = s("hostIP")
            p.status.podIP = s("podIP")
            p.status.podIPs = s.list("podIPs", of: Value.self).compactMap { $0["ip"]?.stringValue }
            p.status.startTime = s("startTime")
            p.status.containerStatuses = s.list("containerStatuses")
            p.status.initContainerStatuses = s.list("initContainerStatuses")
            p.status.retainedFields = s.retainedFields(statusRetained, warn: false)
        }
        return p
    }

    public func toValue() -> Value {
        var w = ObjectWriter(resource: Self.resource, metadata: metadata)
        w["spec"] = spec
        var t = ObjectWriter(retained: status.retainedFields)
        t["phase"] = status.phase
        t["conditions"] = status.conditions
        t["message"] = status.message
        t["reason"] = status.reason
        t["hostIP"] = status.hostIP
        t["podIP"] = status.podIP
        t["podIPs"] = status.podIPs.map { Value.object(["ip": .string($0)]) }
        t["startTime"] = status.startTime
        t["containerStatuses"] = status.containerStatuses
        t["initContainerStatuses"] = status.initContainerStatuses
        if !t.members.isEmpty { w.members["status"] = t.value }
        return w.value
    }
}

extension ContainerStatus: ValueCodable {
    static let fields: Set<String> = [
        "name", "state", "lastState", "ready", "restartCount", "image", "imageID", "containerID", "started",
    ]
    static let retained: Set<String> = [
        "allocatedResources", "resources", "volumeMounts", "user", "allocatedResourcesStatus", "stopSignal",
    ]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ContainerStatus? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ContainerStatus") else { return nil }
        r.checkFields(fields, retained: retained, type: "ContainerStatus")
        var c = ContainerStatus(name: r("name") ?? "")
        c.state = r.object("state")
        c.lastState = r.object("lastState")
        c.ready = r("ready") ?? false
        c.restartCount = r("restartCount") ?? 0
        c.image = r("image") ?? ""
        c.imageID = r("imageID") ?? ""
        c.containerID = r("containerID")
        c.started = r("started")
        c.retainedFields = r.retainedFields(retained, warn: false)
        return c
    }

    func toValue() -> Value {
        var w = ObjectWriter(retained: retainedFields)
        w["name"] = name
        w.setNonEmpty("state", state)
        w.members["lastState"] = lastState?.toValue() ?? .object([:])
        w["ready"] = ready
        w["restartCount"] = restartCount
        w["image"] = image
        w["imageID"] = imageID
        w["containerID"] = containerID
        w["started"] = started
        return w.value
    }
}

extension ContainerState: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ContainerState? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ContainerState") else { return nil }
        r.checkFields(["waiting", "running", "terminated"], type: "ContainerState")
        var s = ContainerState()
        if let waiting = ObjectReader.nested(r, "waiting", type: "ContainerStateWaiting", fields: ["reason", "message"]) {
            s.isWaiting = true
            s.waitingReason = waiting("reason")
            s.waitingMessage = waiting("message")
        }
        if let running = ObjectReader.nested(r, "running", type: "ContainerStateRunning", fields: ["startedAt"]) {
            s.isRunning = true
            s.runningStartedAt = running("startedAt")
        }
        if let t = ObjectReader.nested(
            r, "terminated", type: "ContainerStateTerminated",
            fields: ["exitCode", "signal", "reason", "message", "startedAt", "finishedAt", "containerID"])
        {
            var terminated = ContainerStateTerminated(exitCode: t("exitCode") ?? 0)
            terminated.signal = t("signal")
            terminated.reason = t("reason")
            terminated.message = t("message")
            terminated.startedAt = t("startedAt")
            terminated.finishedAt = t("finishedAt")
            terminated.containerID = t("containerID")
            s.terminated = terminated
        }
        return s
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        if isWaiting {
            var waiting = ObjectWriter()
            waiting["reason"] = waitingReason
            waiting["message"] = waitingMessage
            w.members["waiting"] = waiting.value
        }
        if isRunning {
            var running = ObjectWriter()
            running["startedAt"] = runningStartedAt
            w.members["running"] = running.value
        }
        if let terminated {
            var t = ObjectWriter()
            t["exitCode"] = terminated.exitCode
            t["signal"] = terminated.signal
            t["reason"] = terminated.reason
            t["message"] = terminated.message
            t["startedAt"] = terminated.startedAt
            t["finishedAt"] = terminated.finishedAt
            t["containerID"] = terminated.containerID
            w.members["terminated"] = t.value
        }
        return w.value
    }
}
