/// Fields of a live object that the cluster, not the manifest, owns.
///
/// A manifest re-applied over a live object must not erase what controllers wrote there (a Deployment's
/// revision annotations, a Service's allocated cluster IP and node ports, a pod's port mapping) nor the
/// ownership labels gitopsd put there; otherwise every apply would be a change and controllers would
/// fight it. `kubectl apply` gets the same effect from its three-way merge.
public enum ServerOwnedFields {
    /// Annotation prefixes written by controllers.
    static let annotationPrefixes = ["deployment.kubernetes.io/"]
    /// Annotations written by gitopsd's own agents.
    static let annotationKeys: Set<String> = [WellKnown.Annotations.ports]
    /// Labels that say which gitopsd source manages an object.
    public static let ownershipLabels: Set<String> = [WellKnown.Labels.managedBy, WellKnown.Labels.source]

    /// `desired` with the server-owned fields of `live` carried over where `desired` does not set them.
    public static func carryOver(from live: Value, into desired: Value) -> Value {
        var merged = desired
        let liveAnnotations = live[path: ["metadata", "annotations"]]?.stringMap ?? [:]
        var annotations = desired[path: ["metadata", "annotations"]]?.stringMap ?? [:]
        for (key, value) in liveAnnotations where annotations[key] == nil && isServerAnnotation(key) {
            annotations[key] = value
        }
        if !annotations.isEmpty { merged[path: ["metadata", "annotations"]] = Value(annotations) }

        let liveLabels = live[path: ["metadata", "labels"]]?.stringMap ?? [:]
        var labels = desired[path: ["metadata", "labels"]]?.stringMap ?? [:]
        for (key, value) in liveLabels where labels[key] == nil && ownershipLabels.contains(key) {
            labels[key] = value
        }
        if !labels.isEmpty { merged[path: ["metadata", "labels"]] = Value(labels) }

        if merged[path: ["metadata", "ownerReferences"]] == nil,
            let owners = live[path: ["metadata", "ownerReferences"]]
        {
            merged[path: ["metadata", "ownerReferences"]] = owners
        }

        if live["kind"]?.stringValue == "Service" {
            for field in ["clusterIP", "clusterIPs", "healthCheckNodePort"]
            where merged[path: ["spec", field]] == nil {
                merged[path: ["spec", field]] = live[path: ["spec", field]]
            }
            if var ports = merged[path: ["spec", "ports"]]?.arrayValue,
                let livePorts = live[path: ["spec", "ports"]]?.arrayValue
            {
                for index in ports.indices where ports[index]["nodePort"] == nil {
                    let match = livePorts.first {
                        $0["port"] == ports[index]["port"] && $0["protocol"] == ports[index]["protocol"]
                    }
                    if let nodePort = match?["nodePort"] { ports[index]["nodePort"] = nodePort }
                }
                merged[path: ["spec", "ports"]] = .array(ports)
            }
        }
        return merged
    }

    /// Whether an annotation is written by the cluster rather than by users.
    public static func isServerAnnotation(_ key: String) -> Bool {
        annotationKeys.contains(key) || annotationPrefixes.contains { key.hasPrefix($0) }
    }
}
