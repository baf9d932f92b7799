import API
import ArgumentParser
import Foundation
import Orchestrator

/// `gitopsd describe KIND NAME`: an object's essentials, its status and conditions, and its events.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe", abstract: "Show an object, its status and its events.")

    @Argument(help: "KIND NAME, or KIND/NAME.")
    var arguments: [String]

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "Namespace (default: default).")
    var namespace: String = "default"

    @OptionGroup var dataDirectory: DataDirectoryOptions

    func run() async throws {
        let (resource, inlineName) = try ResourceArgument.split(arguments.first ?? "")
        guard let name = inlineName ?? arguments.dropFirst().first else {
            throw CLIError("name the \(resource.singular) to describe")
        }
        let key = ObjectKey(kind: resource.kind, namespace: resource.isNamespaced ? namespace : "", name: name)
        let store = try dataDirectory.openStore()
        let object: Value
        do {
            object = try await store.get(key)
        } catch let error as StoreError where error.code == .notFound {
            throw CLIError("\(resource.plural) \"\(name)\" not found")
        }
        var lines = ObjectDescription.header(object)
        lines += try await ObjectDescription.details(object, store: store)
        lines += ObjectDescription.events(try await store.events(for: key))
        printResult(lines.joined(separator: "\n"))
    }
}

/// The text `describe` prints, section by section, from stored values.
enum ObjectDescription {
    static func field(_ label: String, _ value: String, indent: Int = 0) -> String {
        String(repeating: " ", count: indent) + (label + ":").padding(toLength: max(16, label.count + 2)) + value
    }

    static func map(_ value: Value?) -> String {
        let map = value?.stringMap ?? [:]
        return map.isEmpty ? "<none>" : map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    static func header(_ object: Value) -> [String] {
        let metadata = object["metadata"] ?? [:]
        var lines = [field("Name", metadata["name"]?.stringValue ?? "")]
        if let namespace = metadata["namespace"]?.stringValue { lines.append(field("Namespace", namespace)) }
        lines.append(field("Labels", map(metadata["labels"])))
        let annotations = (metadata["annotations"]?.stringMap ?? [:])
            .filter { $0.key != "kubectl.kubernetes.io/last-applied-configuration" }
        lines.append(field("Annotations", annotations.isEmpty ? "<none>" : annotations.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n" + String(repeating: " ", count: 16))))
        if let created = metadata["creationTimestamp"]?.stringValue { lines.append(field("Created", created)) }
        return lines
    }

    static func details(_ object: Value, store: some ObjectStore) async throws -> [String] {
        let spec = object["spec"] ?? [:]
        let status = object["status"] ?? [:]
        func int(_ value: Value?) -> Int { Int(value?.intValue ?? 0) }
        var lines: [String] = []
        switch object["kind"]?.stringValue {
        case "Deployment":
            let replicas = int(spec["replicas"] ?? 1)
            lines.append(field("Replicas", "\(replicas) desired | \(int(status["updatedReplicas"])) updated | \(int(status["replicas"])) total | \(int(status["availableReplicas"])) available | \(int(status["unavailableReplicas"])) unavailable"))
            lines.append(field("StrategyType", spec[path: ["strategy", "type"]]?.stringValue ?? "RollingUpdate"))
            if let rolling = spec[path: ["strategy", "rollingUpdate"]] {
                lines.append(field("RollingUpdate", "max unavailable \(rolling["maxUnavailable"].map(describe) ?? "25%"), max surge \(rolling["maxSurge"].map(describe) ?? "25%")"))
            }
            lines += containers(spec[path: ["template", "spec", "containers"]])
            lines += conditions(status["conditions"])
            let namespace = object[path: ["metadata", "namespace"]]?.stringValue
            let uid = object[path: ["metadata", "uid"]]
            let owned = try await store.list(kind: "ReplicaSet", namespace: namespace).items.filter { rs in
                (rs[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains { $0["uid"] == uid }
            }
            let revision = object[path: ["metadata", "annotations", WellKnown.Annotations.revision]]
            let newSet = owned.first { $0[path: ["metadata", "annotations", WellKnown.Annotations.revision]] == revision }
            let old = owned.filter { $0 != newSet && int($0[path: ["spec", "replicas"]]) > 0 }
            lines.append(field("OldReplicaSets", old.isEmpty ? "<none>" : old.map(replicaSetSummary).joined(separator: ", ")))
            lines.append(field("NewReplicaSet", newSet.map(replicaSetSummary) ?? "<none>"))
        case "ReplicaSet":
            lines.append(field("Replicas", "\(int(status["replicas"])) current / \(int(spec["replicas"] ?? 1)) desired"))
            lines += containers(spec[path: ["template", "spec", "containers"]])
        case "Pod":
            lines.append(field("Status", ObjectColumns.podStatus(object)))
            lines.append(field("IP", status["podIP"]?.stringValue ?? "<none>"))
            let mapping = object[path: ["metadata", "annotations", WellKnown.Annotations.ports]]?.stringValue
                .flatMap { try? Value(json: $0) }?.arrayValue ?? []
            let statuses = status["containerStatuses"]?.arrayValue ?? []
            lines.append("Containers:")
            for container in spec["containers"]?.arrayValue ?? [] {
                let name = container["name"]?.stringValue ?? ""
                lines.append("  \(name):")
                lines.append(field("Image", container["image"]?.stringValue ?? "", indent: 4))
                let ports = mapping.filter { $0["container"]?.stringValue == name }
                    .map { "\(int($0["containerPort"]))/TCP -> \($0["hostIP"]?.stringValue ?? "127.0.0.1"):\(int($0["hostPort"]))" }
                if !ports.isEmpty { lines.append(field("Ports", ports.joined(separator: ", "), indent: 4)) }
                if let containerStatus = statuses.first(where: { $0["name"]?.stringValue == name }) {
                    lines.append(field("State", state(containerStatus["state"]), indent: 4))
                    if let last = containerStatus["lastState"], last.objectValue?.isEmpty == false {
                        lines.append(field("Last State", state(last), indent: 4))
                    }
                    lines.append(field("Ready", containerStatus["ready"]?.boolValue == true ? "True" : "False", indent: 4))
                    lines.append(field("Restarts", "\(int(containerStatus["restartCount"]))", indent: 4))
                }
            }
            lines += conditions(status["conditions"])
        case "Service":
            lines.append(field("Selector", map(spec["selector"])))
            lines.append(field("Type", spec["type"]?.stringValue ?? "ClusterIP"))
            lines.append(field("IP", spec["clusterIP"]?.stringValue ?? "<none>"))
            for port in spec["ports"]?.arrayValue ?? [] {
                let name = port["name"]?.stringValue ?? "<unset>"
                lines.append(field("Port", "\(name)  \(int(port["port"]))/\(port["protocol"]?.stringValue ?? "TCP")"))
                lines.append(field("TargetPort", port["targetPort"].map(describe) ?? "\(int(port["port"]))"))
                if let nodePort = port["nodePort"] { lines.append(field("NodePort", "\(int(nodePort))")) }
            }
            let key = ObjectKey(kind: "Endpoints", namespace: object[path: ["metadata", "namespace"]]?.stringValue ?? "default", name: object[path: ["metadata", "name"]]?.stringValue ?? "")
            if let endpoints = try? await store.get(key) {
                lines.append(field("Endpoints", ObjectColumns.row(for: endpoints, wide: false)[1]))
            } else {
                lines.append(field("Endpoints", "<none>"))
            }
        case "ConfigMap":
            lines.append("Data")
            lines.append("====")
            for (key, value) in (object["data"]?.stringMap ?? [:]).sorted(by: { $0.key < $1.key }) {
                lines += ["\(key):", "----", value, ""]
            }
        case "Secret":
            lines.append(field("Type", object["type"]?.stringValue ?? "Opaque"))
            lines.append("Data")
            lines.append("====")
            for (key, value) in (object["data"]?.stringMap ?? [:]).sorted(by: { $0.key < $1.key }) {
                // Sizes only: a describe must not print secret values.
                let size = Data(base64Encoded: value)?.count ?? 0
                lines.append("\(key):  \(size) bytes")
            }
        case "Ingress":
            lines.append(field("Ingress Class", spec["ingressClassName"]?.stringValue ?? "<none>"))
            lines.append("Rules:")
            for rule in spec["rules"]?.arrayValue ?? [] {
                lines.append("  Host: \(rule["host"]?.stringValue ?? "*")")
                for path in rule[path: ["http", "paths"]]?.arrayValue ?? [] {
                    let service = path[path: ["backend", "service"]]
                    let port = service?[path: ["port", "number"]].map(describe) ?? service?[path: ["port", "name"]]?.stringValue ?? ""
                    lines.append("    \(path["path"]?.stringValue ?? "/") (\(path["pathType"]?.stringValue ?? "Prefix")) -> \(service?["name"]?.stringValue ?? ""):\(port)")
                }
            }
        default:
            break
        }
        return lines
    }

    static func events(_ events: [ObjectEvent]) -> [String] {
        guard !events.isEmpty else { return [field("Events", "<none>")] }
        var table = Table(["Type", "Reason", "Age", "From", "Message"])
        for event in events {
            let age = event.count > 1
                ? "\(Age.format(since: event.lastTimestamp)) (x\(event.count) over \(Age.format(since: event.firstTimestamp)))"
                : Age.format(since: event.firstTimestamp)
            table.append([event.type.rawValue, event.reason, age, event.source, event.message])
        }
        return ["Events:"] + table.render().split(separator: "\n").map { "  " + $0 }
    }

    static func containers(_ value: Value?) -> [String] {
        var lines = ["Containers:"]
        for container in value?.arrayValue ?? [] {
            lines.append("  \(container["name"]?.stringValue ?? ""):")
            lines.append(field("Image", container["image"]?.stringValue ?? "", indent: 4))
            if let command = container["command"]?.arrayValue {
                let text = command.compactMap(\.stringValue).joined(separator: " ")
                lines.append(field("Command", text.count > 80 ? String(text.prefix(77)) + "..." : text, indent: 4))
            }
            let ports = (container["ports"]?.arrayValue ?? []).map { "\(describe($0["containerPort"] ?? 0))/\($0["protocol"]?.stringValue ?? "TCP")" }
            if !ports.isEmpty { lines.append(field("Ports", ports.joined(separator: ", "), indent: 4)) }
        }
        return lines
    }

    static func conditions(_ value: Value?) -> [String] {
        let conditions = value?.arrayValue ?? []
        guard !conditions.isEmpty else { return [] }
        var table = Table(["Type", "Status", "Reason"])
        for condition in conditions {
            table.append([
                condition["type"]?.stringValue ?? "", condition["status"]?.stringValue ?? "",
                condition["reason"]?.stringValue ?? "",
            ])
        }
        return ["Conditions:"] + table.render().split(separator: "\n").map { "  " + $0 }
    }

    static func state(_ value: Value?) -> String {
        if let waiting = value?["waiting"] { return "Waiting (\(waiting["reason"]?.stringValue ?? ""))" }
        if let running = value?["running"] { return "Running since \(running["startedAt"]?.stringValue ?? "?")" }
        if let terminated = value?["terminated"] {
            return "Terminated (\(terminated["reason"]?.stringValue ?? ""), exit code \(terminated["exitCode"]?.intValue ?? 0))"
        }
        return "<unknown>"
    }

    static func replicaSetSummary(_ rs: Value) -> String {
        let name = rs[path: ["metadata", "name"]]?.stringValue ?? ""
        let ready = rs[path: ["status", "replicas"]]?.intValue ?? 0
        let desired = rs[path: ["spec", "replicas"]]?.intValue ?? 0
        return "\(name) (\(ready)/\(desired) replicas created)"
    }

    static func describe(_ value: Value) -> String {
        switch value {
        case .string(let string): string
        case .int(let int): "\(int)"
        default: value.jsonString
        }
    }
}
