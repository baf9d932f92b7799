/// The order in which kinds are applied: what others depend on goes first.
///
/// Namespaces before what lives in them; ConfigMaps and Secrets before the pods that read them at start;
/// Services before Deployments so pods get the Service environment variables; Ingress last, once its
/// backends exist. Deletions run in the reverse order.
public enum ApplyOrder {
    static let ranks: [String: Int] = [
        "Namespace": 0,
        "ConfigMap": 1, "Secret": 1,
        "Service": 2, "Endpoints": 2,
        "Deployment": 3, "ReplicaSet": 3, "Pod": 3,
        "Ingress": 4,
    ]

    /// The rank of `kind`; unknown kinds go after the known ones.
    public static func rank(of kind: String) -> Int {
        ranks[kind] ?? ranks.count
    }
}
