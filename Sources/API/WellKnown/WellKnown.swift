/// The labels and annotations that mean something to gitopsd or to Kubernetes, defined once for every module:
/// those gitopsd writes on what it manages, those the controllers write on what they create, and those kubectl
/// writes that gitopsd reads.
public enum WellKnown {
    public enum Labels {
        /// `app.kubernetes.io/managed-by: gitopsd` on every object a source manages.
        public static let managedBy = "app.kubernetes.io/managed-by"
        /// The value of `managedBy` on gitopsd's objects.
        public static let managedByValue = "gitopsd"
        /// The name of the source that manages the object.
        public static let source = "gitopsd.io/source"
        /// The hash of a pod template, on a Deployment's ReplicaSets and their pods.
        public static let podTemplateHash = "pod-template-hash"
    }

    public enum Annotations {
        /// The full id of the commit that last changed the object; copied to the ReplicaSet of each revision, so
        /// `rollout history` can name the commit behind every revision.
        public static let commit = "gitopsd.io/commit"
        /// That commit's author, `Name <email>`.
        public static let author = "gitopsd.io/author"
        /// That commit's time, RFC 3339.
        public static let commitTime = "gitopsd.io/commit-time"
        /// The host ports the kubelet gave a pod's container ports (a JSON list).
        public static let ports = "gitopsd.io/ports"
        /// `<sha7> <subject>` of the commit behind a revision (kubectl's `rollout history` column).
        public static let changeCause = "kubernetes.io/change-cause"
        public static let revision = "deployment.kubernetes.io/revision"
        public static let revisionHistory = "deployment.kubernetes.io/revision-history"
        public static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
        public static let maxReplicas = "deployment.kubernetes.io/max-replicas"
        public static let rollbackTo = "deprecated.deployment.rollback.to"
        public static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"
        public static let restartedAt = "kubectl.kubernetes.io/restartedAt"
        public static let podDeletionCost = "controller.kubernetes.io/pod-deletion-cost"
    }
}

/// How gitopsd marks what it manages, and finds it again.
public enum ManagedBy {
    public static let managedByLabel = WellKnown.Labels.managedBy
    public static let managedByValue = WellKnown.Labels.managedByValue
    public static let sourceLabel = WellKnown.Labels.source
    public static let commitAnnotation = WellKnown.Annotations.commit
    public static let changeCauseAnnotation = WellKnown.Annotations.changeCause

    /// The selector of the objects one source manages.
    public static func selector(source: String) -> LabelSelector {
        LabelSelector(matchLabels: [managedByLabel: managedByValue, sourceLabel: source])
    }

    /// The source that manages `object`, or `nil` when gitopsd does not manage it.
    public static func source(of object: Value) -> String? {
        let labels = object[path: ["metadata", "labels"]]?.stringMap ?? [:]
        guard labels[managedByLabel] == managedByValue else { return nil }
        return labels[sourceLabel]
    }
}
