public import API
public import Foundation

/// A `rollout` or `scale` command could not do what was asked; `message` is what kubectl would print after
/// `error: `.
public struct RolloutError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for callers that react differently (exit codes, retries).
    public enum Code: String, Sendable, Hashable {
        /// The Deployment does not exist (or was deleted while being watched).
        case notFound
        /// `rollout status`: the Deployment reports `ProgressDeadlineExceeded`.
        case progressDeadlineExceeded
        /// `rollout status --revision`: another revision is running.
        case revisionMismatch
        /// `rollout undo`: nothing to go back to, or no such revision.
        case noHistory
        case revisionNotFound
        /// The command is not allowed in the Deployment's current state (paused, already paused, ...).
        case invalidState
        /// The store failed or kept conflicting.
        case store
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// kubectl's client-side `rollout` and `scale` logic for Deployments, over an `ObjectStore`: what
/// `gitopsd rollout …` and `gitopsd scale` run beside a daemon whose controllers do the rest.
///
/// Messages and algorithms follow kubectl (`rollout_status.go`, `rollback.go`, `history.go`,
/// `objectpauser.go`, `objectresumer.go`, `objectrestarter.go`); see k8s-semantics.md §1.11–1.14.
public enum Rollout {
    // MARK: Status

    /// What `rollout status` reports for one state of a Deployment.
    public struct StatusReport: Sendable, Hashable {
        /// The line kubectl prints (without the newline).
        public var message: String
        /// The rollout is complete.
        public var isComplete: Bool
    }

    /// Evaluates a Deployment as `kubectl rollout status` does on each watch event.
    /// - Parameter revision: When given (> 0), the revision that must be the running one.
    /// - Throws: `RolloutError` `.progressDeadlineExceeded`, `.revisionMismatch`.
    public static func status(of deployment: Deployment, revision: Int? = nil) throws(RolloutError) -> StatusReport {
        let name = deployment.metadata.name
        if let revision, revision > 0 {
            let running = deployment.metadata.annotations[WellKnown.Annotations.revision].flatMap { Int($0) } ?? 0
            if running != revision {
                throw RolloutError(
                    .revisionMismatch,
                    "desired revision (\(revision)) is different from the running revision (\(running))")
            }
        }
        let status = deployment.status
        guard (deployment.metadata.generation ?? 0) <= status.observedGeneration else {
            return StatusReport(message: "Waiting for deployment spec update to be observed...", isComplete: false)
        }
        if Conditions.get(status.conditions, "Progressing")?.reason == "ProgressDeadlineExceeded" {
            throw RolloutError(.progressDeadlineExceeded, "deployment \"\(name)\" exceeded its progress deadline")
        }
        let replicas = deployment.spec.replicas ?? 1
        let prefix = "Waiting for deployment \"\(name)\" rollout to finish: "
        if status.updatedReplicas < replicas {
            return StatusReport(
                message: prefix + "\(status.updatedReplicas) out of \(replicas) new replicas have been updated...",
                isComplete: false)
        }
        if status.replicas > status.updatedReplicas {
            return StatusReport(
                message: prefix + "\(status.replicas - status.updatedReplicas) old replicas are pending termination...",
                isComplete: false)
        }
        if status.availableReplicas < status.updatedReplicas {
            return StatusReport(
                message: prefix
                    + "\(status.availableReplicas) of \(status.updatedReplicas) updated replicas are available...",
                isComplete: false)
        }
        return StatusReport(message: "deployment \"\(name)\" successfully rolled out", isComplete: true)
    }

    // MARK: History

    /// One revision of a Deployment: its ReplicaSet's revision number, change cause and pod template.
    public struct Revision: Sendable, Hashable {
        public var number: Int
        /// `kubernetes.io/change-cause` of the ReplicaSet, if any.
        public var changeCause: String?
        /// The pod template (with its `pod-template-hash` label, as kubectl shows it).
        public var template: Value
        /// The ReplicaSet's name.
        public var replicaSet: String
        /// The ReplicaSet's annotations (gitopsd's commit, author and commit time among them).
        public var annotations: [String: String] = [:]
    }

    /// The Deployment's revisions, oldest first (ReplicaSets it controls that carry a revision number).
    /// - Throws: `RolloutError` `.notFound`, `.store`.
    public static func history(_ store: any ObjectStore, deployment key: ObjectKey) async throws(RolloutError)
        -> [Revision]
    {
        let (deployment, _) = try await load(store, key)
        return try await revisions(store, deployment).map(\.revision)
    }

    /// The history as kubectl prints it: `REVISION  CHANGE-CAUSE` rows, padded like Go's tabwriter.
    /// Revisions that gitopsd applied from git also show their commit, subject, author and age.
    public static func historyTable(_ revisions: [Revision], now: Date = Date()) -> String {
        if revisions.contains(where: { $0.annotations[WellKnown.Annotations.commit] != nil }) {
            var rows = [["REVISION", "COMMIT", "SUBJECT", "AUTHOR", "AGE"]]
            for revision in revisions {
                let commit = revision.annotations[WellKnown.Annotations.commit].map { String($0.prefix(7)) } ?? "<none>"
                var subject = revision.changeCause ?? "<none>"
                if subject.hasPrefix(commit + " ") { subject.removeFirst(commit.count + 1) }
                let age = revision.annotations[WellKnown.Annotations.commitTime].flatMap { Timestamp.parse($0) }
                    .map { Age.format(since: $0, now: now) } ?? "<unknown>"
                rows.append([
                    String(revision.number), commit, subject, revision.annotations[WellKnown.Annotations.author] ?? "<none>", age,
                ])
            }
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            return rows.map { row in
                row.indices.map { column in
                    column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
                }.joined()
            }.joined(separator: "\n")
        }
        let rows = [("REVISION", "CHANGE-CAUSE")] + revisions.map { (String($0.number), $0.changeCause ?? "<none>") }
        let width = (rows.map(\.0.count).max() ?? 0) + 2
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }

    // MARK: Undo

    /// `kubectl rollout undo`: puts the template (and the annotations, change cause included) of revision
    /// `toRevision` — or of the previous revision when `nil`/0 — back on the Deployment; the controller then
    /// re-uses that revision's ReplicaSet and gives it the next revision number.
    /// - Returns: `rolled back`, or `skipped rollback (current template already matches revision N)`.
    /// - Throws: `RolloutError` `.invalidState` (paused), `.noHistory`, `.revisionNotFound`, `.notFound`.
    public static func undo(_ store: any ObjectStore, deployment key: ObjectKey, toRevision: Int? = nil)
        async throws(RolloutError) -> String
    {
        let toRevision = toRevision ?? 0
        let (deployment, stored) = try await load(store, key)
        if deployment.spec.paused == true {
            throw RolloutError(
                .invalidState,
                "you cannot rollback a paused deployment; resume it first with 'gitopsd rollout resume' and try again")
        }
        let all = try await revisions(store, deployment)
        let target: (revision: Revision, annotations: [String: String])
        if toRevision > 0 {
            guard let found = all.first(where: { $0.revision.number == toRevision }) else {
                throw RolloutError(.revisionNotFound, "unable to find specified revision \(toRevision) in history")
            }
            target = found
        } else {
            guard all.count >= 2 else {
                throw RolloutError(
                    .noHistory, "no rollout history found for deployment \"\(deployment.metadata.name)\"")
            }
            target = all[all.count - 2]
        }
        var template = target.revision.template
        template[path: ["metadata", "labels", WellKnown.Labels.podTemplateHash]] = nil
        if DeploymentSync.canonicalTemplate(deployment.spec.template) == canonical(template) {
            return "skipped rollback (current template already matches revision \(toRevision))"
        }
        var annotations: [String: String] = [:]
        for key in WorkloadKeys.skippedAnnotations {
            if let value = deployment.metadata.annotations[key] { annotations[key] = value }
        }
        for (key, value) in target.annotations where !WorkloadKeys.skippedAnnotations.contains(key) {
            annotations[key] = value
        }
        var updated = stored
        updated[path: ["spec", "template"]] = template
        updated.annotations = annotations
        updated[path: ["metadata", "resourceVersion"]] = nil  // a JSON patch: unconditional
        do {
            _ = try await store.update(updated)
        } catch {
            throw RolloutError(.store, "failed restoring revision \(toRevision): \(error)")
        }
        return "rolled back"
    }

    // MARK: Pause, resume, restart, scale

    /// `kubectl rollout pause`. - Throws: `.invalidState` ("is already paused").
    public static func pause(_ store: any ObjectStore, deployment key: ObjectKey) async throws(RolloutError) {
        try await modify(store, key) { (deployment, value: inout Value) throws(RolloutError) in
            if deployment.spec.paused == true { throw RolloutError(.invalidState, "is already paused") }
            value[path: ["spec", "paused"]] = true
        }
    }

    /// `kubectl rollout resume`. - Throws: `.invalidState` ("is not paused").
    public static func resume(_ store: any ObjectStore, deployment key: ObjectKey) async throws(RolloutError) {
        try await modify(store, key) { (deployment, value: inout Value) throws(RolloutError) in
            if deployment.spec.paused != true { throw RolloutError(.invalidState, "is not paused") }
            value[path: ["spec", "paused"]] = nil
        }
    }

    /// `kubectl rollout restart`: stamps `kubectl.kubernetes.io/restartedAt` on the pod template.
    /// - Throws: `.invalidState` for a paused Deployment.
    public static func restart(_ store: any ObjectStore, deployment key: ObjectKey, now: Date = Date())
        async throws(RolloutError)
    {
        try await modify(store, key) { (deployment, value: inout Value) throws(RolloutError) in
            if deployment.spec.paused == true {
                throw RolloutError(.invalidState, "can't restart paused deployment (run rollout resume first)")
            }
            value[path: ["spec", "template", "metadata", "annotations", WellKnown.Annotations.restartedAt]] = .string(
                Timestamp.format(now))
        }
    }

    /// `kubectl scale --replicas N`.
    public static func scale(_ store: any ObjectStore, deployment key: ObjectKey, replicas: Int)
        async throws(RolloutError)
    {
        guard replicas >= 0 else {
            throw RolloutError(
                .invalidState, "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
        }
        try await modify(store, key) { (_, value: inout Value) throws(RolloutError) in
            value[path: ["spec", "replicas"]] = .int(Int64(replicas))
        }
    }

    // MARK: Helpers

    static func notFound(_ key: ObjectKey) -> RolloutError {
        RolloutError(.notFound, "deployments.apps \"\(key.name)\" not found")
    }

    /// The Deployment, decoded and as stored.
    static func load(_ store: any ObjectStore, _ key: ObjectKey) async throws(RolloutError) -> (Deployment, Value) {
        let value: Value
        do {
            value = try await store.get(key)
        } catch let error as StoreError where error.code == .notFound {
            throw notFound(key)
        } catch {
            throw RolloutError(.store, "\(error)")
        }
        do {
            return (try Deployment(value), value)
        } catch {
            throw RolloutError(.store, "deployment \"\(key.name)\" does not decode: \(error)")
        }
    }

    /// Read, change, write with the read resourceVersion; retried on conflict.
    private static func modify(
        _ store: any ObjectStore, _ key: ObjectKey, _ change: (Deployment, inout Value) throws(RolloutError) -> Void
    ) async throws(RolloutError) {
        for _ in 0..<5 {
            let (deployment, stored) = try await load(store, key)
            var value = stored
            try change(deployment, &value)
            do {
                _ = try await store.update(value)
                return
            } catch let error as StoreError where error.code == .conflict {
                continue
            } catch {
                throw RolloutError(.store, "\(error)")
            }
        }
        throw RolloutError(.store, "the deployment kept changing; try again")
    }

    /// Revisions of the ReplicaSets the Deployment controls, oldest first, with their annotations.
    private static func revisions(_ store: any ObjectStore, _ deployment: Deployment) async throws(RolloutError)
        -> [(revision: Revision, annotations: [String: String])]
    {
        let items: [Value]
        do {
            items = try await store.list(kind: ReplicaSet.resource.kind, namespace: deployment.metadata.namespace).items
        } catch {
            throw RolloutError(.store, "\(error)")
        }
        var result: [(revision: Revision, annotations: [String: String])] = []
        for value in items {
            guard let rs = try? ReplicaSet(value), rs.metadata.controllerReference?.uid == deployment.metadata.uid,
                let number = rs.metadata.annotations[WellKnown.Annotations.revision].flatMap({ Int($0) })
            else { continue }
            let revision = Revision(
                number: number, changeCause: rs.metadata.annotations[WellKnown.Annotations.changeCause],
                template: value[path: ["spec", "template"]] ?? [:], replicaSet: rs.metadata.name,
                annotations: rs.metadata.annotations)
            result.append((revision, rs.metadata.annotations))
        }
        return result.sorted { $0.revision.number < $1.revision.number }
    }

    /// A template given as a value, in canonical form (`nil` when it does not decode as a pod template).
    private static func canonical(_ template: Value) -> Value? {
        let wrapper: Value = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "template"],
            "spec": ["template": template],
        ]
        guard let deployment = try? Deployment(wrapper) else { return nil }
        return DeploymentSync.canonicalTemplate(deployment.spec.template)
    }
}
