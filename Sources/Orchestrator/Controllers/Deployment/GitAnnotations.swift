/// Annotations the GitOps reconciler puts on the objects it changes, which the Deployment controller copies to
/// the ReplicaSet of each revision, so `rollout history` can name the commit behind every revision.
public enum GitAnnotations {
    /// The full id of the commit that last changed the object.
    public static let commit = "gitopsd.io/commit"
    /// That commit's author, `Name <email>`.
    public static let author = "gitopsd.io/author"
    /// That commit's time, RFC 3339.
    public static let commitTime = "gitopsd.io/commit-time"
}
