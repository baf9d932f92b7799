/// Where a transformer writes in resources of one kind: Kustomize's built-in field specs, as a table.
struct FieldSpec: Sendable {
    /// `nil` matches any group.
    var group: String?
    /// `nil` matches any kind.
    var kind: String?
    var path: String
    var create: Bool

    func applies(to resource: Resource) -> Bool {
        if let kind, kind != resource.kind { return false }
        if let group, group != resource.group { return false }
        return true
    }

    static let workloadKinds = ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"]

    /// Labels on objects and the pod templates they stamp out (`includeTemplates`).
    static let templateLabels: [FieldSpec] =
        [FieldSpec(path: "metadata.labels", create: true), FieldSpec(kind: "ReplicationController", path: "spec.template.metadata.labels", create: true)]
        + workloadKinds.map { FieldSpec(kind: $0, path: "spec.template.metadata.labels", create: true) }
        + [
            FieldSpec(group: "apps", kind: "StatefulSet", path: "spec.volumeClaimTemplates[].metadata.labels", create: true),
            FieldSpec(group: "batch", kind: "Job", path: "spec.template.metadata.labels", create: true),
            FieldSpec(group: "batch", kind: "CronJob", path: "spec.jobTemplate.metadata.labels", create: true),
            FieldSpec(group: "batch", kind: "CronJob", path: "spec.jobTemplate.spec.template.metadata.labels", create: true),
        ]

    /// Label selectors that must keep selecting the labelled pods (`includeSelectors`, `commonLabels`).
    static let selectorLabels: [FieldSpec] = {
        var specs = [
            FieldSpec(group: "", kind: "Service", path: "spec.selector", create: true),
            FieldSpec(group: "", kind: "ReplicationController", path: "spec.selector", create: true),
            FieldSpec(kind: "Deployment", path: "spec.selector.matchLabels", create: true),
            FieldSpec(kind: "ReplicaSet", path: "spec.selector.matchLabels", create: true),
            FieldSpec(kind: "DaemonSet", path: "spec.selector.matchLabels", create: true),
            FieldSpec(group: "apps", kind: "StatefulSet", path: "spec.selector.matchLabels", create: true),
            FieldSpec(group: "batch", kind: "Job", path: "spec.selector.matchLabels", create: false),
            FieldSpec(group: "batch", kind: "CronJob", path: "spec.jobTemplate.spec.selector.matchLabels", create: false),
            FieldSpec(group: "policy", kind: "PodDisruptionBudget", path: "spec.selector.matchLabels", create: false),
            FieldSpec(group: "networking.k8s.io", kind: "NetworkPolicy", path: "spec.podSelector.matchLabels", create: false),
            FieldSpec(group: "networking.k8s.io", kind: "NetworkPolicy", path: "spec.ingress[].from[].podSelector.matchLabels", create: false),
            FieldSpec(group: "networking.k8s.io", kind: "NetworkPolicy", path: "spec.egress[].to[].podSelector.matchLabels", create: false),
        ]
        for kind in ["Deployment", "StatefulSet"] {
            for path in [
                "spec.template.spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchLabels",
                "spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchLabels",
                "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchLabels",
                "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[].labelSelector.matchLabels",
                "spec.template.spec.topologySpreadConstraints[].labelSelector.matchLabels",
            ] {
                specs.append(FieldSpec(group: "apps", kind: kind, path: path, create: false))
            }
        }
        return specs
    }()

    /// Annotations on objects and their pod templates.
    static let annotations: [FieldSpec] =
        [FieldSpec(path: "metadata.annotations", create: true), FieldSpec(kind: "ReplicationController", path: "spec.template.metadata.annotations", create: true)]
        + workloadKinds.map { FieldSpec(kind: $0, path: "spec.template.metadata.annotations", create: true) }
        + [
            FieldSpec(group: "batch", kind: "Job", path: "spec.template.metadata.annotations", create: true),
            FieldSpec(group: "batch", kind: "CronJob", path: "spec.jobTemplate.metadata.annotations", create: true),
            FieldSpec(group: "batch", kind: "CronJob", path: "spec.jobTemplate.spec.template.metadata.annotations", create: true),
        ]

    /// Kinds whose objects have no namespace; the namespace transformer leaves them alone.
    static let clusterScopedKinds: Set<String> = [
        "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
        "StorageClass", "Node", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration", "APIService", "CSIDriver", "CSINode", "RuntimeClass", "VolumeAttachment",
        "CertificateSigningRequest", "ComponentStatus", "PodSecurityPolicy", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "FlowSchema", "PriorityLevelConfiguration",
    ]
}
