extension SQLiteObjectStore {
    /// Tuning and policy for the SQLite store; the defaults suit the daemon.
    public struct Configuration: Sendable {
        /// Kinds without a namespace; every other kind is namespaced. Default: `Namespace`.
        public var clusterScopedKinds: Set<String> = ["Namespace"]
        /// Kinds whose `generation` also moves when `metadata.annotations` change, as Deployment's does in
        /// Kubernetes (annotations are copied to its ReplicaSets). Default: `Deployment`.
        public var kindsWithAnnotationGeneration: Set<String> = ["Deployment"]
        /// Namespaces that may not be deleted. Default: `default`.
        public var protectedNamespaces: Set<String> = ["default"]
        /// How long a write waits for another process's write lock before failing with `.io`. Default 10 s.
        public var busyTimeout: Duration = .seconds(10)
        /// Events a watcher may fall behind before it is ended with `.expired`. Default 10 000.
        public var watchBufferSize: Int = 10_000
        /// How often a store instance with watchers checks for other processes' writes. Default 10 ms.
        public var pollInterval: Duration = .milliseconds(10)
        /// Compaction keeps at least this many of the newest revisions in the log. Default 10 000.
        public var retainedRevisions: Int = 10_000
        /// Compaction keeps at least this much of the newest history (like etcd's 5 minutes). Default 5 min.
        public var retention: Duration = .seconds(300)
        /// How often a writing store instance compacts, collects garbage and prunes events; `nil` never
        /// (tests call `compact(through:)` and `collectGarbage()` themselves). Default 60 s.
        public var maintenanceInterval: Duration? = .seconds(60)
        /// Events kept per object (the oldest go first). Default 50.
        public var maxEventsPerObject: Int = 50
        /// Events kept in all. Default 10 000.
        public var maxEvents: Int = 10_000
        /// Writes committed together at most, when many are waiting (group commit). Default 256.
        public var maxBatchSize: Int = 256
        /// Commits between two background WAL checkpoints (SQLite's own, inside a commit, is off). Default 100.
        public var checkpointInterval: Int = 100

        public init() {}
    }
}
