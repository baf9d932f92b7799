public import API

/// How healthy an object or a source is, in the terms Argo CD users know.
public struct Health: Sendable, Hashable, Codable {
    /// Ordered from best to worst, so the worst of several is `max`.
    public enum Status: String, Sendable, Hashable, Codable, Comparable {
        case healthy = "Healthy"
        case progressing = "Progressing"
        case missing = "Missing"
        case degraded = "Degraded"

        var severity: Int {
            switch self {
            case .healthy: 0
            case .progressing: 1
            case .missing: 2
            case .degraded: 3
            }
        }

        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.severity < rhs.severity }
    }

    public var status: Status
    /// Why, when not healthy ("waiting for 1 of 2 updated replicas to be available").
    public var message: String?

    public init(_ status: Status, _ message: String? = nil) {
        self.status = status
        self.message = message
    }

    public static let healthy = Health(.healthy)

    /// The health of a live object. `related` gives the objects some kinds need to be judged (a Service's
    /// Endpoints); `nil` from it means "not there".
    public static func assess(_ object: Value?, endpoints: Value? = nil) -> Health {
        guard let object else { return Health(.missing, "not found in the cluster") }
        let spec = object["spec"] ?? [:]
        let status = object["status"] ?? [:]
        func int(_ value: Value?) -> Int { Int(value?.intValue ?? 0) }
        switch object["kind"]?.stringValue {
        case "Deployment":
            let generation = int(object[path: ["metadata", "generation"]])
            let observed = int(status["observedGeneration"])
            if spec["paused"]?.boolValue == true { return Health(.healthy, "deployment is paused") }
            let progressing = (status["conditions"]?.arrayValue ?? []).first { $0["type"] == "Progressing" }
            if progressing?["reason"] == "ProgressDeadlineExceeded" {
                let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
                return Health(.degraded, "deployment \"\(name)\" exceeded its progress deadline")
            }
            if observed < generation { return Health(.progressing, "waiting for the rollout to be observed") }
            let replicas = int(spec["replicas"] ?? 1)
            let updated = int(status["updatedReplicas"])
            let available = int(status["availableReplicas"])
            let total = int(status["replicas"])
            if updated < replicas {
                return Health(.progressing, "\(updated) of \(replicas) new replicas have been updated")
            }
            if total > updated {
                return Health(.progressing, "\(total - updated) old replicas are pending termination")
            }
            if available < updated {
                return Health(.progressing, "\(available) of \(updated) updated replicas are available")
            }
            return .healthy
        case "Pod":
            for container in status["containerStatuses"]?.arrayValue ?? [] {
                let reason = container[path: ["state", "waiting", "reason"]]?.stringValue
                if let reason, ["CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError"].contains(reason) {
                    return Health(.degraded, "container \(container["name"]?.stringValue ?? ""): \(reason)")
                }
            }
            switch status["phase"]?.stringValue {
            case "Failed": return Health(.degraded, status["message"]?.stringValue ?? "pod failed")
            case "Running", "Succeeded":
                let ready = (status["conditions"]?.arrayValue ?? []).first { $0["type"] == "Ready" }
                return ready?["status"] == "True" || status["phase"] == "Succeeded" ? .healthy : Health(.progressing, "pod not ready")
            default: return Health(.progressing, "pod pending")
            }
        case "Service":
            let type = spec["type"]?.stringValue ?? "ClusterIP"
            if type == "LoadBalancer",
                (status[path: ["loadBalancer", "ingress"]]?.arrayValue ?? []).isEmpty
            {
                return Health(.progressing, "waiting for a load balancer address")
            }
            if let selector = spec["selector"]?.objectValue, !selector.isEmpty, type != "ExternalName" {
                let ready = (endpoints?["subsets"]?.arrayValue ?? []).contains {
                    !($0["addresses"]?.arrayValue ?? []).isEmpty
                }
                if !ready { return Health(.progressing, "no ready endpoints") }
            }
            return .healthy
        default:
            return .healthy
        }
    }
}
