import API

/// `replicas`: a replica count for workloads matched by name.
enum ReplicaTransformer {
    static let kinds: Set<String> = ["Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"]

    static func apply(_ rules: [Kustomization.ReplicaRule], to resources: inout [Resource]) throws(KustomizeError) {
        for rule in rules {
            var matched = false
            for index in resources.indices where kinds.contains(resources[index].kind) {
                let resource = resources[index]
                guard resource.name == rule.name || resource.originalName == rule.name || resource.previousNames.contains(rule.name) else { continue }
                resources[index].value[path: ["spec", "replicas"]] = .int(rule.count)
                matched = true
            }
            if !matched {
                throw KustomizeError(.patchFailed, "replicas: no Deployment, ReplicaSet, ReplicationController or StatefulSet named \(rule.name)", location: rule.location)
            }
        }
    }
}
