public import API

/// The order in which objects are applied: what others depend on goes first.
///
/// Namespaces before what lives in them; ConfigMaps and Secrets before the pods that read them at start;
/// Services before Deployments so pods get the Service environment variables; Ingress last, once its
/// backends exist. That is the order of `ResourceKind.all`. Deletions run in the reverse order.
public enum ApplyOrder {
    /// The rank of `kind`; unknown kinds go after the known ones.
    public static func rank(of kind: String) -> Int {
        ResourceKind.all.firstIndex { $0.kind == kind } ?? ResourceKind.all.count
    }

    /// Whether `lhs` is applied before `rhs`: by kind rank, then by key.
    public static func precedes(_ lhs: ObjectKey, _ rhs: ObjectKey) -> Bool {
        let left = rank(of: lhs.kind)
        let right = rank(of: rhs.kind)
        return left != right ? left < right : lhs < rhs
    }
}
