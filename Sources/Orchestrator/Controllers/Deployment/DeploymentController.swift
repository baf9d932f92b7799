public import API
import Foundation
public import Logging

/// Rolls Deployments out through ReplicaSets — Kubernetes' Deployment controller
/// (k8s-semantics.md §1).
///
/// Per Deployment key (level-triggered, idempotent, one step per pass; the ReplicaSet and pod events that
/// follow bring the key back):
/// 1. claim ReplicaSets (adopt matching orphans, release non-matching ones);
/// 2. paused → only scale proportionally and clean up history; a changed `replicas` with a rollout under way
///    → scale proportionally (`RolloutMath.proportionalSizes`);
/// 3. otherwise one step of `RollingUpdate` (grow the new ReplicaSet within `maxSurge`, shrink the old ones
///    within `maxUnavailable`, unhealthy replicas first) or `Recreate` (old ReplicaSets to zero, wait for
///    their pods to be gone, then the new one to full size — never both at once);
/// 4. when complete, delete old ReplicaSets beyond `revisionHistoryLimit`;
/// 5. write status and the `Available`/`Progressing`/`ReplicaFailure` conditions, and come back at the
///    progress deadline.
///
/// ReplicaSets are named `<deployment>-<pod-template-hash>`; the one whose template equals the Deployment's
/// is "new" and carries the next revision number, so going back to an earlier template re-uses (and
/// re-numbers) that template's ReplicaSet. See docs/controllers.md for what differs from Kubernetes.
public final class DeploymentController: Sendable {
    /// Tuning; the defaults suit the daemon.
    public struct Configuration: Sendable {
        /// Deployments reconciled at once (never the same one twice). Default 2.
        public var workers: Int
        /// Retry back-off of failed reconciles.
        public var queue: WorkQueue<ObjectKey>.Configuration
        /// How long a reconcile waits for its informers to see its own writes. Default 5 s.
        public var cacheSyncTimeout: Duration

        public init(
            workers: Int = 2, queue: WorkQueue<ObjectKey>.Configuration = WorkQueue<ObjectKey>.Configuration(),
            cacheSyncTimeout: Duration = .seconds(5)
        ) {
            self.workers = workers
            self.queue = queue
            self.cacheSyncTimeout = cacheSyncTimeout
        }
    }

    static let source = "deployment-controller"

    public let configuration: Configuration
    let store: any ObjectStore
    let logger: Logger
    let deployments: Informer<Deployment>
    let replicaSets: Informer<ReplicaSet>
    let pods: Informer<Pod>
    let controller: Controller<ObjectKey>
    /// The informers this controller made for itself, when it was not given the process's.
    private let ownInformers: SharedInformers?

    /// A controller over `store` with the process's shared informers; nothing happens until `run()` (and the
    /// informers' own `run()`).
    /// - Parameters:
    ///   - store: Where Deployments, ReplicaSets and pods live.
    ///   - informers: The process's informers; `nil` makes (and runs) a set of its own.
    ///   - configuration: Workers, back-off.
    ///   - logger: Reconcile failures at info, the rest at debug; silent when `nil`.
    public init(
        store: any ObjectStore, informers: SharedInformers? = nil, configuration: Configuration = Configuration(),
        logger: Logger? = nil
    ) {
        self.store = store
        self.configuration = configuration
        self.logger = logger ?? Logger(label: "gitopsd.deployment", factory: { _ in SwiftLogNoOpLogHandler() })
        ownInformers = informers == nil ? SharedInformers(store: store, logger: logger) : nil
        let shared = informers ?? ownInformers!
        deployments = shared.informer()
        replicaSets = shared.informer()
        pods = shared.informer()
        controller = Controller(
            name: "deployment", configuration: .init(workers: configuration.workers, queue: configuration.queue),
            logger: self.logger)
        let deployments = self.deployments
        let replicaSets = self.replicaSets
        controller.watches(deployments)
        controller.owns(replicaSets, owners: deployments) { $0.spec.selector }
        controller.watches(pods) { event in
            // Only deletions matter: Recreate waits for the old pods to be gone.
            guard case .deleted(let pod) = event, let reference = pod.metadata.controllerReference,
                reference.kind == ReplicaSet.resource.kind
            else { return [] }
            let rsKey = ObjectKey(kind: reference.kind, namespace: pod.metadata.namespace, name: reference.name)
            guard let rs = replicaSets.get(rsKey), rs.metadata.uid == reference.uid else { return [] }
            return OwnerKeys.keys(for: .deleted(rs), owners: deployments) { $0.spec.selector }
        }
    }

    /// Runs the workers (and, when it made its own, the informers) until the task is cancelled; call it once.
    /// Keys are reconciled only after every informer has loaded its first list.
    public func run() async {
        await withDiscardingTaskGroup { group in
            if let ownInformers { group.addTask { await ownInformers.run() } }
            group.addTask { await self.controller.run { key in try await self.reconcile(key) } }
        }
    }

    // MARK: Reconcile

    /// One pass over one Deployment.
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let entry = deployments.entry(key) else { return .done }  // deleted: the store removed the rest
        let sync = DeploymentSync(entry: entry, now: Date())
        do {
            let result = try await self.sync(sync)
            await waitForCaches(sync.written)
            return result
        } catch {
            await waitForCaches(sync.written)
            throw error
        }
    }

    private func waitForCaches(_ written: WrittenRevisions) async {
        let timeout = configuration.cacheSyncTimeout
        if let revision = written.revision(of: Deployment.resource.kind) {
            await deployments.waitUntilObserved(revision, timeout: timeout)
        }
        if let revision = written.revision(of: ReplicaSet.resource.kind) {
            await replicaSets.waitUntilObserved(revision, timeout: timeout)
        }
    }

    /// Kubernetes' `syncDeployment`, in order.
    private func sync(_ s: DeploymentSync) async throws -> ReconcileResult {
        let d = s.deployment
        guard let selector = d.spec.selector, !selector.isEmpty else {
            await store.record(
                d.key, .warning, "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.", source: Self.source)
            if d.status.observedGeneration < (d.metadata.generation ?? 0) {
                var status = d.status
                status.observedGeneration = d.metadata.generation ?? 0
                try await writeStatus(s, status)
            }
            return .done
        }
        try await claimReplicaSets(s, selector: selector)
        s.podsByReplicaSet = podsByReplicaSet(s)

        if d.metadata.isDeleting {
            let (newRS, old) = try await replicaSetsAndSyncRevision(s, createIfMissing: false)
            try await syncDeploymentStatus(s, newRS: newRS, old: old)
            return .done
        }
        try await checkPausedConditions(s)
        if s.deployment.spec.paused == true { return try await syncScaling(s) }
        if try await isScalingEvent(s) { return try await syncScaling(s) }
        if s.isRecreate { return try await rolloutRecreate(s) }
        return try await rolloutRolling(s)
    }
}

/// The working state of one pass over one Deployment: the Deployment (defaulted, with the status as this pass
/// last wrote it), its ReplicaSets (updated as this pass writes them), and the revisions it wrote.
final class DeploymentSync {
    /// The Deployment with Kubernetes' defaults applied; `status` and metadata follow this pass's writes.
    var deployment: Deployment
    /// The Deployment as stored (for edits that must keep every field exactly).
    var stored: Value
    /// The ReplicaSets this Deployment controls.
    var replicaSets: [Informer<ReplicaSet>.Entry] = []
    /// Active pods (and terminating ones) by the uid of their ReplicaSet.
    var podsByReplicaSet: [String: [Pod]] = [:]
    var written = WrittenRevisions()
    let now: Date
    /// The Deployment's template in canonical form (defaulted, no `pod-template-hash`).
    let template: Value

    init(entry: Informer<Deployment>.Entry, now: Date) {
        deployment = DeploymentSync.defaulted(entry.object)
        stored = entry.value
        self.now = now
        template = DeploymentSync.canonicalTemplate(deployment.spec.template)
    }

    var replicas: Int { deployment.spec.replicas ?? 1 }
    var isRecreate: Bool { deployment.spec.strategy?.type == "Recreate" }

    var bounds: RolloutMath.Bounds {
        let rolling = deployment.spec.strategy?.rollingUpdate
        return RolloutMath.bounds(
            isRolling: !isRecreate, replicas: replicas, maxSurge: rolling?.maxSurge.map(Self.value),
            maxUnavailable: rolling?.maxUnavailable.map(Self.value))
    }

    /// `replicas + maxSurge`: the `max-replicas` annotation.
    var maxReplicas: Int { replicas + bounds.maxSurge }

    /// `progressDeadlineSeconds` is set and not MaxInt32 ("no deadline").
    var hasProgressDeadline: Bool {
        guard let seconds = deployment.spec.progressDeadlineSeconds else { return false }
        return seconds != Int(Int32.max)
    }

    func replace(_ entry: Informer<ReplicaSet>.Entry) {
        if let index = replicaSets.firstIndex(where: { $0.object.metadata.uid == entry.object.metadata.uid }) {
            replicaSets[index] = entry
        } else {
            replicaSets.append(entry)
        }
    }

    func remove(uid: String?) {
        replicaSets.removeAll { $0.object.metadata.uid == uid }
    }

    func entry(uid: String?) -> Informer<ReplicaSet>.Entry? {
        replicaSets.first { $0.object.metadata.uid == uid }
    }

    static func defaulted(_ deployment: Deployment) -> Deployment {
        if case .deployment(let defaulted) = TypedObject.deployment(deployment).defaulted() { return defaulted }
        return deployment
    }

    /// A pod template in canonical form (defaulted, normalised, without `pod-template-hash`): two templates
    /// that mean the same are equal (Kubernetes' `EqualIgnoreHash` on defaulted objects).
    static func canonicalTemplate(_ template: PodTemplateSpec) -> Value {
        var deployment = Deployment()
        deployment.spec.template = template
        var value = TypedObject.deployment(deployment).canonicalValue[path: ["spec", "template"]] ?? [:]
        value[path: ["metadata", "labels", WellKnown.Labels.podTemplateHash]] = nil
        return value
    }

    private static func value(_ intOrString: IntOrString) -> Value {
        switch intOrString {
        case .int(let int): .int(Int64(int))
        case .string(let string): .string(string)
        }
    }
}
