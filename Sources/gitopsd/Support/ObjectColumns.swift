import API
import Orchestrator
import Foundation

/// The columns `gitopsd get` prints for each kind, following kubectl's.
///
/// Works on the stored `Value` rather than typed objects, so a listing never fails on one odd object.
enum ObjectColumns {
    /// Headers for `kind`, with the `-o wide` extras when `wide`.
    static func headers(for kind: String, wide: Bool) -> [String] {
        var headers: [String]
        switch kind {
        case "Pod": headers = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        case "Deployment": headers = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        case "ReplicaSet": headers = ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
        case "Service": headers = ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
        case "Ingress": headers = ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
        case "ConfigMap": headers = ["NAME", "DATA", "AGE"]
        case "Secret": headers = ["NAME", "TYPE", "DATA", "AGE"]
        case "Namespace": headers = ["NAME", "STATUS", "AGE"]
        case "Endpoints": headers = ["NAME", "ENDPOINTS", "AGE"]
        default: headers = ["NAME", "AGE"]
        }
        if wide {
            switch kind {
            case "Pod": headers += ["IP", "PORTS"]
            case "Deployment", "ReplicaSet": headers += ["CONTAINERS", "IMAGES", "SELECTOR"]
            case "Service": headers += ["SELECTOR"]
            default: break
            }
        }
        return headers
    }

    /// One row for `object`, matching `headers(for:wide:)`.
    static func row(for object: Value, wide: Bool, now: Date = Date()) -> [String] {
        let kind = object["kind"]?.stringValue ?? ""
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let age = Age.format(timestamp: object[path: ["metadata", "creationTimestamp"]]?.stringValue, now: now)
        let spec = object["spec"] ?? [:]
        let status = object["status"] ?? [:]
        func int(_ value: Value?) -> Int { Int(value?.intValue ?? 0) }
        var row: [String]
        switch kind {
        case "Pod":
            let statuses = status["containerStatuses"]?.arrayValue ?? []
            let total = spec["containers"]?.arrayValue?.count ?? statuses.count
            let ready = statuses.filter { $0["ready"]?.boolValue == true }.count
            let restarts = statuses.reduce(0) { $0 + int($1["restartCount"]) }
            row = [name, "\(ready)/\(total)", podStatus(object), "\(restarts)", age]
        case "Deployment":
            let replicas = int(spec["replicas"] ?? 1)
            row = [
                name, "\(int(status["readyReplicas"]))/\(replicas)", "\(int(status["updatedReplicas"]))",
                "\(int(status["availableReplicas"]))", age,
            ]
        case "ReplicaSet":
            row = [
                name, "\(int(spec["replicas"] ?? 1))", "\(int(status["replicas"]))",
                "\(int(status["readyReplicas"]))", age,
            ]
        case "Service":
            let type = spec["type"]?.stringValue ?? "ClusterIP"
            let external: String
            switch type {
            case "ExternalName": external = spec["externalName"]?.stringValue ?? "<none>"
            case "LoadBalancer":
                let ingress = status[path: ["loadBalancer", "ingress"]]?.arrayValue ?? []
                let addresses = ingress.compactMap { $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue }
                external = addresses.isEmpty ? "<pending>" : addresses.joined(separator: ",")
            default: external = "<none>"
            }
            let ports = (spec["ports"]?.arrayValue ?? []).map { port -> String in
                let number = "\(int(port["port"]))"
                let node = port["nodePort"].map { ":\(int($0))" } ?? ""
                return "\(number)\(node)/\(port["protocol"]?.stringValue ?? "TCP")"
            }
            row = [
                name, type, spec["clusterIP"]?.stringValue ?? "<none>", external,
                ports.isEmpty ? "<none>" : ports.joined(separator: ","), age,
            ]
        case "Ingress":
            let hosts = (spec["rules"]?.arrayValue ?? []).compactMap { $0["host"]?.stringValue }
            let address = (status[path: ["loadBalancer", "ingress"]]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue }
            let ports = (spec["tls"]?.arrayValue?.isEmpty == false) ? "80, 443" : "80"
            row = [
                name, spec["ingressClassName"]?.stringValue ?? "<none>", hosts.isEmpty ? "*" : hosts.joined(separator: ","),
                address.joined(separator: ","), ports, age,
            ]
        case "ConfigMap":
            let count = (object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0)
            row = [name, "\(count)", age]
        case "Secret":
            row = [name, object["type"]?.stringValue ?? "Opaque", "\(object["data"]?.objectValue?.count ?? 0)", age]
        case "Namespace":
            row = [name, status["phase"]?.stringValue ?? "Active", age]
        case "Endpoints":
            var addresses: [String] = []
            for subset in object["subsets"]?.arrayValue ?? [] {
                for address in subset["addresses"]?.arrayValue ?? [] {
                    for port in subset["ports"]?.arrayValue ?? [] {
                        addresses.append("\(address["ip"]?.stringValue ?? ""):\(int(port["port"]))")
                    }
                }
            }
            let shown = addresses.prefix(3).joined(separator: ",")
            row = [name, addresses.isEmpty ? "<none>" : shown + (addresses.count > 3 ? " + \(addresses.count - 3) more..." : ""), age]
        default:
            row = [name, age]
        }
        if wide {
            switch kind {
            case "Pod":
                let mapping = object[path: ["metadata", "annotations", WellKnown.Annotations.ports]]?.stringValue
                    .flatMap { try? Value(json: $0) }?.arrayValue ?? []
                let ports = mapping.map { "\(int($0["containerPort"]))->\(int($0["hostPort"]))" }
                row += [status["podIP"]?.stringValue ?? "<none>", ports.isEmpty ? "<none>" : ports.joined(separator: ",")]
            case "Deployment", "ReplicaSet":
                let containers = spec[path: ["template", "spec", "containers"]]?.arrayValue ?? []
                let selector =
                    kind == "Deployment" ? (try? Deployment(object))?.spec.selector : (try? ReplicaSet(object))?.spec.selector
                row += [
                    containers.compactMap { $0["name"]?.stringValue }.joined(separator: ","),
                    containers.compactMap { $0["image"]?.stringValue }.joined(separator: ","),
                    selector?.description ?? "<none>",
                ]
            case "Service":
                let selector = spec["selector"]?.stringMap ?? [:]
                row += [selector.isEmpty ? "<none>" : selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")]
            default: break
            }
        }
        return row
    }

    /// kubectl's STATUS column for a pod: a waiting or terminated reason when there is one, else the phase.
    static func podStatus(_ pod: Value) -> String {
        let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []
        for status in statuses {
            if let reason = status[path: ["state", "waiting", "reason"]]?.stringValue, reason != "ContainerCreating" {
                return reason
            }
            if let reason = status[path: ["state", "terminated", "reason"]]?.stringValue {
                return reason
            }
        }
        return pod[path: ["status", "phase"]]?.stringValue ?? "Pending"
    }
}
