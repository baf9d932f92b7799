public import API
import Foundation

/// Turns one source revision into live state: load and validate every manifest, build the desired set,
/// compare it with what the source manages, and apply the difference in dependency order.
///
/// All or nothing per commit: the whole commit is loaded and validated, and conflicts are checked, before
/// anything is written. An invalid commit changes nothing, and the last applied commit keeps running.
public struct Reconciler: Sendable {
    public let client: any ClusterClient
    public let loader: ManifestLoader

    public init(client: any ClusterClient, loader: ManifestLoader = ManifestLoader()) {
        self.client = client
        self.loader = loader
    }

    /// Works out what syncing `revision` would change. Writes nothing.
    /// - Throws: `ReconcileError` `.invalidManifests`, `.emptySource`, `.conflict` (all `.waitForChange`),
    ///   or `.apply` when the cluster cannot be read (`.retry`).
    public func plan(_ revision: SourceRevision, options: SyncOptions) async throws(ReconcileError) -> SyncPlan {
        let set = loader.load(files: revision.files)
        guard set.isValid else {
            throw ReconcileError(
                .invalidManifests,
                "commit \(revision.commit.prefix(7)) has \(set.errors.count) invalid manifest problem(s); nothing applied",
                next: .waitForChange, problems: set.errors)
        }
        if set.objects.isEmpty && !options.allowEmpty {
            throw ReconcileError(
                .emptySource,
                "commit \(revision.commit.prefix(7)) has no manifests under the source path; refusing to prune "
                    + "everything (pass --allow-empty if that is what you want)",
                next: .waitForChange)
        }

        let live: [ObjectKey: Value]
        do {
            live = try await client.managedObjects(source: revision.source)
        } catch {
            throw ReconcileError(.apply, "cannot list the live objects: \(error)", next: .retry)
        }

        var desired: [ObjectKey: Value] = [:]
        var conflicts: [String] = []
        for loaded in set.objects {
            let key = loaded.key
            var object = Self.label(loaded.object.canonicalValue, for: revision)
            if let current = live[key] {
                object = ServerOwnedFields.carryOver(from: current, into: object)
                // Keep the live change-cause unless the object really changes: a revision names the commit
                // that caused it, not the latest commit.
                if key.kind == "Deployment" {
                    if ObjectComparison.isInSync(live: current, desired: object) {
                        for annotation in Self.revisionAnnotations {
                            object[path: ["metadata", "annotations", annotation]] =
                                current[path: ["metadata", "annotations", annotation]]
                        }
                    } else {
                        Self.annotateRevision(&object, revision)
                    }
                }
            } else {
                do {
                    if let existing = try await client.get(key) {
                        let owner = ManagedBy.source(of: existing)
                        conflicts.append(
                            owner.map { "\(key) is managed by source \"\($0)\"" }
                                ?? "\(key) exists and is not managed by gitopsd; delete it or label it "
                                + "\(ManagedBy.managedByLabel)=\(ManagedBy.managedByValue),"
                                + "\(ManagedBy.sourceLabel)=\(revision.source) to hand it over")
                        continue
                    }
                } catch {
                    throw ReconcileError(.apply, "cannot read \(key): \(error)", next: .retry)
                }
                if key.kind == "Deployment" { Self.annotateRevision(&object, revision) }
            }
            desired[key] = object
        }
        guard conflicts.isEmpty else {
            throw ReconcileError(
                .conflict, "nothing applied: " + conflicts.joined(separator: "; "), next: .waitForChange)
        }
        let plan = Plan(desired: desired, live: live, prune: options.prune, isInSync: ObjectComparison.isInSync)
        return SyncPlan(revision: revision, desired: desired, live: live, plan: plan, warnings: set.warnings)
    }

    /// Applies a plan's changes, in order, in one commit: all of them or none.
    /// - Throws: `ReconcileError` `.apply` (`.retry`) with the failure; nothing of the plan is applied then, and
    ///   the next sync plans again (a conflict means something changed a managed object since it was read).
    public func apply(_ plan: SyncPlan) async throws(ReconcileError) {
        guard !plan.plan.changes.isEmpty else { return }
        do {
            try await client.commit(plan.plan.changes)
        } catch {
            throw ReconcileError(
                .apply, "nothing applied: \(plan.plan.changes.count) change(s) failed together: \(error)",
                next: .retry)
        }
    }

    /// Plans and (unless `options.dryRun`) applies one revision, returning the record of the attempt.
    public func sync(_ revision: SourceRevision, options: SyncOptions) async -> (SyncRecord, SyncPlan?) {
        let started = Date()
        func record(_ result: SyncRecord.Result, _ plan: SyncPlan?, errors: [String] = []) -> SyncRecord {
            SyncRecord(
                source: revision.source, commit: revision.commit, subject: revision.subject,
                author: revision.author, startedAt: started, finishedAt: Date(), result: result,
                created: plan?.plan.count(.create) ?? 0, updated: plan?.plan.count(.update) ?? 0,
                deleted: plan?.plan.count(.delete) ?? 0, errors: errors)
        }
        let plan: SyncPlan
        do {
            plan = try await self.plan(revision, options: options)
        } catch {
            return (record(.failed, nil, errors: [error.message] + error.problems.map(\.description)), nil)
        }
        if plan.isInSync { return (record(.inSync, plan), plan) }
        if options.dryRun { return (record(.applied, plan), plan) }
        do {
            try await apply(plan)
        } catch {
            return (record(.failed, plan, errors: [error.message]), plan)
        }
        return (record(.applied, plan), plan)
    }

    /// The annotations that name the commit behind a Deployment revision; the controller copies them to the
    /// revision's ReplicaSet, which is how `rollout history` shows commit, subject, author and age.
    static let revisionAnnotations = [
        ManagedBy.changeCauseAnnotation, WellKnown.Annotations.commit, WellKnown.Annotations.author, WellKnown.Annotations.commitTime,
    ]

    static func annotateRevision(_ object: inout Value, _ revision: SourceRevision) {
        object[path: ["metadata", "annotations", ManagedBy.changeCauseAnnotation]] = .string(revision.changeCause)
        object[path: ["metadata", "annotations", WellKnown.Annotations.commit]] = .string(revision.commit)
        object[path: ["metadata", "annotations", WellKnown.Annotations.author]] = .string(revision.author)
        if let time = revision.time {
            object[path: ["metadata", "annotations", WellKnown.Annotations.commitTime]] = .string(time.formatted(.iso8601))
        }
    }

    /// The object as gitopsd writes it: ownership labels and the commit annotation added.
    static func label(_ object: Value, for revision: SourceRevision) -> Value {
        var object = object
        var labels = object[path: ["metadata", "labels"]]?.stringMap ?? [:]
        labels[ManagedBy.managedByLabel] = ManagedBy.managedByValue
        labels[ManagedBy.sourceLabel] = revision.source
        object[path: ["metadata", "labels"]] = Value(labels)
        object[path: ["metadata", "annotations", ManagedBy.commitAnnotation]] = .string(revision.commit)
        return object
    }
}
