public import API
import Foundation
public import Logging

/// Keeps the number of active pods of every ReplicaSet at `spec.replicas` — Kubernetes' ReplicaSet controller.
///
/// Per ReplicaSet key (level-triggered, idempotent): claim pods (adopt matching orphans, release owned pods
/// whose labels stopped matching), create the missing pods from the template in slow-start batches
/// (1, 2, 4, …, at most `burstReplicas` per pass) or delete the surplus in `PodDeletionOrder`, then write
/// `status` (`replicas`, `fullyLabeledReplicas`, `readyReplicas`, `availableReplicas`, `terminatingReplicas`,
/// `observedGeneration`, the `ReplicaFailure` condition). A pod that is ready but not yet available for
/// `minReadySeconds` makes the key come back when it will be.
///
/// Keys come from ReplicaSet events and from the events of pods, through their controller reference (or,
/// for orphans, every ReplicaSet whose selector matches). See docs/controllers.md.
public final class ReplicaSetController: Sendable {
    /// Tuning; the defaults suit the daemon.
    public struct Configuration: Sendable {
        /// ReplicaSets reconciled at once (never the same one twice). Default 2.
        public var workers: Int
        /// Most pods created or deleted in one pass (Kubernetes' `BurstReplicas`). Default 500.
        public var burstReplicas: Int
        /// Retry back-off of failed reconciles.
        public var queue: WorkQueue<ObjectKey>.Configuration
        /// How long a reconcile waits for its informers to see its own writes. Default 5 s.
        public var cacheSyncTimeout: Duration

        public init(
            workers: Int = 2, burstReplicas: Int = 500,
            queue: WorkQueue<ObjectKey>.Configuration = WorkQueue<ObjectKey>.Configuration(),
            cacheSyncTimeout: Duration = .seconds(5)
        ) {
            self.workers = workers
            self.burstReplicas = burstReplicas
            self.queue = queue
            self.cacheSyncTimeout = cacheSyncTimeout
        }
    }

    static let source = "replicaset-controller"

    public let configuration: Configuration
    let store: any ObjectStore
    let logger: Logger
    let replicaSets: Informer<ReplicaSet>
    let pods: Informer<Pod>
    let controller: Controller<ObjectKey>
    /// The informers this controller made for itself, when it was not given the process's.
    private let ownInformers: SharedInformers?

    /// A controller over `store` with the process's shared informers; nothing happens until `run()` (and the
    /// informers' own `run()`).
    /// - Parameters:
    ///   - store: Where ReplicaSets and pods live.
    ///   - informers: The process's informers; `nil` makes (and runs) a set of its own.
    ///   - configuration: Workers, burst size, back-off.
    ///   - logger: Reconcile failures at info, the rest at debug; silent when `nil`.
    public init(
        store: any ObjectStore, informers: SharedInformers? = nil, configuration: Configuration = Configuration(),
        logger: Logger? = nil
    ) {
        self.store = store
        self.configuration = configuration
        self.logger = logger ?? Logger(label: "gitopsd.replicaset", factory: { _ in SwiftLogNoOpLogHandler() })
        ownInformers = informers == nil ? SharedInformers(store: store, logger: logger) : nil
        let shared = informers ?? ownInformers!
        replicaSets = shared.informer()
        pods = shared.informer()
        controller = Controller(
            name: "replicaset", configuration: .init(workers: configuration.workers, queue: configuration.queue),
            logger: self.logger)
        controller.watches(replicaSets)
        controller.owns(pods, owners: replicaSets) { $0.spec.selector }
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

    /// Brings one ReplicaSet's pods and status in line with its spec.
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        var written = WrittenRevisions()
        do {
            let result = try await sync(key, &written)
            await waitForCaches(written)
            return result
        } catch {
            await waitForCaches(written)
            throw error
        }
    }

    private func waitForCaches(_ written: WrittenRevisions) async {
        if let revision = written.revision(of: Pod.resource.kind) {
            await pods.waitUntilObserved(revision, timeout: configuration.cacheSyncTimeout)
        }
        if let revision = written.revision(of: ReplicaSet.resource.kind) {
            await replicaSets.waitUntilObserved(revision, timeout: configuration.cacheSyncTimeout)
        }
    }

    private func sync(_ key: ObjectKey, _ written: inout WrittenRevisions) async throws -> ReconcileResult {
        guard let entry = replicaSets.entry(key) else { return .done }  // deleted: the store removed its pods
        let rs = entry.object
        let now = Date()
        guard let selector = rs.spec.selector, !selector.isEmpty else {
            await store.record(
                key, .warning, "InvalidSelector", "This ReplicaSet has an empty selector; it manages no pods.",
                source: Self.source)
            return .done
        }
        guard selector.matches(rs.spec.template.metadata.labels) else {
            // The API server would have refused this ReplicaSet; creating pods it cannot own would never end.
            await store.record(
                key, .warning, "InvalidSelector", "selector does not match template labels; no pods are created.",
                source: Self.source)
            return .done
        }

        let owned = try await claimPods(rs, selector: selector, &written)
        let active = owned.filter(\.isActive)
        var failure: (reason: String, error: any Error)?
        if !rs.metadata.isDeleting {
            failure = await manageReplicas(entry, active: active, now: now, &written)
        }

        let minReady = rs.spec.minReadySeconds ?? 0
        var status = Self.status(of: rs, owned: owned, active: active, minReadySeconds: minReady, now: now)
        if let failure {
            let condition = Conditions.make(
                "ReplicaFailure", "True", reason: failure.reason, message: "\(failure.error)", now: now)
            if Conditions.get(status.conditions, "ReplicaFailure") == nil {
                Conditions.set(&status.conditions, condition)
            }
        } else {
            Conditions.remove(&status.conditions, "ReplicaFailure")
        }
        if status != rs.status {
            var updated = rs
            updated.status = status
            written.note(try await store.writeStatus(entry.value, status: updated.toValue()["status"]))
        }
        if let failure { throw failure.error }

        // Come back when the next ready pod has been ready for minReadySeconds.
        guard minReady > 0 else { return .done }
        let pending = active.compactMap { pod -> Date? in
            guard let since = pod.availableSince(minReadySeconds: minReady), since >= now else { return nil }
            return since
        }
        guard let next = pending.min() else { return .done }
        return .requeue(after: .milliseconds(Int64(next.timeIntervalSince(now) * 1000) + 50))
    }

    /// The ReplicaSet's status as its pods say (`active`: owned, not terminal, not being deleted).
    static func status(
        of rs: ReplicaSet, owned: [Pod], active: [Pod], minReadySeconds: Int, now: Date
    ) -> ReplicaSetStatus {
        var status = ReplicaSetStatus()
        let templateLabels = rs.spec.template.metadata.labels
        status.replicas = active.count
        status.fullyLabeledReplicas =
            active.filter { pod in templateLabels.allSatisfy { pod.metadata.labels[$0.key] == $0.value } }.count
        status.readyReplicas = active.filter(\.isReady).count
        status.availableReplicas = active.filter { $0.isAvailable(minReadySeconds: minReadySeconds, now: now) }.count
        status.terminatingReplicas = owned.filter { $0.metadata.isDeleting && !$0.isTerminal }.count
        status.observedGeneration = rs.metadata.generation ?? 0
        status.conditions = rs.status.conditions
        return status
    }

    // MARK: Ownership

    /// The pods this ReplicaSet controls after adopting matching orphans and releasing non-matching pods.
    private func claimPods(
        _ rs: ReplicaSet, selector: LabelSelector, _ written: inout WrittenRevisions
    ) async throws -> [Pod] {
        let claim = OwnershipClaim<ReplicaSet, Pod>(store: store, owner: rs, selector: selector)
        return try await claim.claim(pods.entries(namespace: rs.metadata.namespace), written: &written).map(\.object)
    }

    // MARK: Scaling

    /// Creates or deletes pods; returns the first failure (reason `FailedCreate`/`FailedDelete`).
    private func manageReplicas(
        _ entry: Informer<ReplicaSet>.Entry, active: [Pod], now: Date, _ written: inout WrittenRevisions
    ) async -> (reason: String, error: any Error)? {
        let rs = entry.object
        let difference = active.count - (rs.spec.replicas ?? 1)
        if difference < 0 {
            return await createPods(entry, count: min(-difference, configuration.burstReplicas), &written)
        }
        if difference > 0 {
            let victims = PodDeletionOrder.victims(
                active, count: min(difference, configuration.burstReplicas), now: now)
            return await deletePods(rs, victims, &written)
        }
        return nil
    }

    /// Slow start: batches of 1, 2, 4, … so that a template that cannot be created fails once, not N times.
    private func createPods(
        _ entry: Informer<ReplicaSet>.Entry, count: Int, _ written: inout WrittenRevisions
    ) async -> (reason: String, error: any Error)? {
        let rs = entry.object
        var remaining = count
        var batch = min(remaining, 1)
        while batch > 0 {
            let results = await withTaskGroup(of: Result<WriteResult, any Error>.self) { group in
                for _ in 0..<batch {
                    group.addTask {
                        do { return .success(try await self.createPod(entry)) } catch { return .failure(error) }
                    }
                }
                var results: [Result<WriteResult, any Error>] = []
                for await result in group { results.append(result) }
                return results
            }
            var failure: (any Error)?
            for result in results {
                switch result {
                case .success(let write):
                    written.note(write)
                    let name = write.object[path: ["metadata", "name"]]?.stringValue ?? ""
                    await store.record(rs.key, .normal, "SuccessfulCreate", "Created pod: \(name)", source: Self.source)
                case .failure(let error):
                    failure = failure ?? error
                }
            }
            if let failure {
                await store.record(rs.key, .warning, "FailedCreate", "Error creating: \(failure)", source: Self.source)
                return ("FailedCreate", failure)
            }
            remaining -= batch
            batch = min(2 * batch, remaining)
        }
        return nil
    }

    /// One pod from the template, named by the store from `generateName` `<rs>-` (`<rs>-<5 random characters>`),
    /// with the template's labels and annotations and a controller reference to the ReplicaSet.
    private func createPod(_ entry: Informer<ReplicaSet>.Entry) async throws -> WriteResult {
        let rs = entry.object
        let template = entry.value[path: ["spec", "template"]] ?? [:]
        var metadata: Value = [
            "generateName": .string(rs.metadata.name + "-"), "namespace": .string(rs.metadata.namespace),
            "ownerReferences": [OwnerReference.controller(of: rs.metadata, resource: ReplicaSet.resource).value],
        ]
        for field in ["labels", "annotations", "finalizers"] {
            if let member = template[path: ["metadata", field]] { metadata[field] = member }
        }
        return try await store.create(
            ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"] ?? [:]])
    }

    private func deletePods(
        _ rs: ReplicaSet, _ victims: [Pod], _ written: inout WrittenRevisions
    ) async -> (reason: String, error: any Error)? {
        let store = self.store
        let results = await withTaskGroup(of: (String, Result<WriteResult?, any Error>).self) { group in
            for pod in victims {
                group.addTask {
                    do {
                        return (
                            pod.metadata.name,
                            .success(try await store.delete(pod.key, options: DeleteOptions(uid: pod.metadata.uid)))
                        )
                    } catch let error as StoreError where error.code == .notFound {
                        return (pod.metadata.name, .success(nil))
                    } catch {
                        return (pod.metadata.name, .failure(error))
                    }
                }
            }
            var results: [(String, Result<WriteResult?, any Error>)] = []
            for await result in group { results.append(result) }
            return results
        }
        var failure: (any Error)?
        for (name, result) in results.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success(let write):
                guard let write else { continue }
                written.note(write)
                await store.record(rs.key, .normal, "SuccessfulDelete", "Deleted pod: \(name)", source: Self.source)
            case .failure(let error):
                failure = failure ?? error
                await store.record(rs.key, .warning, "FailedDelete", "Error deleting: \(error)", source: Self.source)
            }
        }
        return failure.map { ("FailedDelete", $0) }
    }
}
