import API
import Foundation

/// Finding, claiming, creating, numbering and scaling a Deployment's ReplicaSets.
extension DeploymentController {
    // MARK: Ownership

    /// Adopts orphaned ReplicaSets that match the selector and releases owned ones that stopped matching;
    /// leaves the controlled, matching ones in `s.replicaSets`.
    func claimReplicaSets(_ s: DeploymentSync, selector: LabelSelector) async throws {
        let claim = OwnershipClaim<Deployment, ReplicaSet>(store: store, owner: s.deployment, selector: selector)
        s.replicaSets = try await claim.claim(
            replicaSets.entries(namespace: s.deployment.metadata.namespace), written: &s.written)
    }

    /// Pods of the claimed ReplicaSets, by ReplicaSet uid.
    func podsByReplicaSet(_ s: DeploymentSync) -> [String: [Pod]] {
        let uids = Set(s.replicaSets.compactMap(\.object.metadata.uid))
        var map: [String: [Pod]] = [:]
        for pod in pods.list(namespace: s.deployment.metadata.namespace) {
            guard let reference = pod.metadata.controllerReference, uids.contains(reference.uid) else { continue }
            map[reference.uid, default: []].append(pod)
        }
        return map
    }

    // MARK: New and old

    /// Oldest first: by creation time, then revision (creation times have one-second resolution), then name.
    static func oldestFirst(_ a: ReplicaSet, _ b: ReplicaSet) -> Bool {
        let createdA = a.metadata.creationDate, createdB = b.metadata.creationDate
        if createdA != createdB { return createdA < createdB }
        let revisionA = DeploymentAnnotations.revision(a.metadata.annotations)
        let revisionB = DeploymentAnnotations.revision(b.metadata.annotations)
        if revisionA != revisionB { return revisionA < revisionB }
        return a.metadata.name < b.metadata.name
    }

    /// The new ReplicaSet (the oldest whose template equals the Deployment's) and the old ones.
    func splitNewAndOld(_ s: DeploymentSync) -> (new: Informer<ReplicaSet>.Entry?, old: [Informer<ReplicaSet>.Entry]) {
        let sorted = s.replicaSets.sorted { Self.oldestFirst($0.object, $1.object) }
        guard
            let new = sorted.first(where: { DeploymentSync.canonicalTemplate($0.object.spec.template) == s.template })
        else { return (nil, sorted) }
        return (new, sorted.filter { $0.object.metadata.uid != new.object.metadata.uid })
    }

    /// Kubernetes' `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet with its revision and annotations
    /// brought up to date (created when missing and `createIfMissing`), the old ones, and the Deployment's
    /// revision annotation and `Progressing` condition to match.
    func replicaSetsAndSyncRevision(
        _ s: DeploymentSync, createIfMissing: Bool
    ) async throws -> (new: Informer<ReplicaSet>.Entry?, old: [Informer<ReplicaSet>.Entry]) {
        let (existing, old) = splitNewAndOld(s)
        let maxOldRevision = old.map { DeploymentAnnotations.revision($0.object.metadata.annotations) }.max() ?? 0
        let newRevision = maxOldRevision + 1
        if let existing {
            let new = try await syncExistingNewReplicaSet(s, existing, newRevision: newRevision)
            return (new, old)
        }
        guard createIfMissing else { return (nil, old) }
        let new = try await createNewReplicaSet(s, old: old, newRevision: newRevision)
        return (new, old)
    }

    private func syncExistingNewReplicaSet(
        _ s: DeploymentSync, _ existing: Informer<ReplicaSet>.Entry, newRevision: Int
    ) async throws -> Informer<ReplicaSet>.Entry {
        let d = s.deployment
        var entry = existing
        var annotations = existing.object.metadata.annotations
        let annotationsChanged = DeploymentAnnotations.setNewReplicaSetAnnotations(
            deployment: d.metadata.annotations, rs: &annotations, newRevision: newRevision, exists: true,
            desired: s.replicas, maxReplicas: s.maxReplicas)
        let minReady = d.spec.minReadySeconds ?? 0
        if annotationsChanged || (existing.object.spec.minReadySeconds ?? 0) != minReady {
            let result = try await store.edit(existing.object.key, uid: existing.object.metadata.uid) { value in
                var fresh = value.annotations
                _ = DeploymentAnnotations.setNewReplicaSetAnnotations(
                    deployment: d.metadata.annotations, rs: &fresh, newRevision: newRevision, exists: true,
                    desired: s.replicas, maxReplicas: s.maxReplicas)
                value.annotations = fresh
                value[path: ["spec", "minReadySeconds"]] = minReady == 0 ? nil : .int(Int64(minReady))
                return true
            }
            if let result, let rs = try? ReplicaSet(result.object) {
                s.written.note(result)
                entry = Informer<ReplicaSet>.Entry(object: rs, value: result.object)
                s.replace(entry)
            }
        }
        var status = s.deployment.status
        if s.hasProgressDeadline && Conditions.get(status.conditions, "Progressing") == nil {
            Conditions.set(
                &status.conditions,
                Conditions.make(
                    "Progressing", "True", reason: "FoundNewReplicaSet",
                    message: "Found new replica set \"\(entry.object.metadata.name)\"", now: s.now))
        }
        try await setDeploymentRevision(s, entry.object.metadata.annotations[WellKnown.Annotations.revision] ?? "")
        if status != s.deployment.status { try await writeStatus(s, status) }
        return entry
    }

    private func createNewReplicaSet(
        _ s: DeploymentSync, old: [Informer<ReplicaSet>.Entry], newRevision: Int
    ) async throws -> Informer<ReplicaSet>.Entry {
        let d = s.deployment
        let hash = PodTemplateHash.compute(template: s.template, collisionCount: d.status.collisionCount)
        let name = "\(d.metadata.name)-\(hash)"
        var template = s.template
        template[path: ["metadata", "labels", WellKnown.Labels.podTemplateHash]] = .string(hash)
        var selector = d.spec.selector ?? LabelSelector()
        selector.matchLabels[WellKnown.Labels.podTemplateHash] = hash
        var labels = d.spec.template.metadata.labels
        labels[WellKnown.Labels.podTemplateHash] = hash

        let replicas: Int
        if s.isRecreate {
            replicas = s.replicas
        } else {
            let total = old.reduce(0) { $0 + Self.podCount($1.object) }
            replicas = RolloutMath.newReplicaSetSize(
                replicas: s.replicas, newDesired: 0, totalDesired: total, bounds: s.bounds)
        }
        var annotations: [String: String] = [:]
        _ = DeploymentAnnotations.setNewReplicaSetAnnotations(
            deployment: d.metadata.annotations, rs: &annotations, newRevision: newRevision, exists: false,
            desired: s.replicas, maxReplicas: s.maxReplicas)

        var rs = ReplicaSet(metadata: ObjectMeta(name: name, namespace: d.metadata.namespace, labels: labels))
        rs.metadata.annotations = annotations
        rs.metadata.ownerReferences = [OwnerReference.controller(of: d.metadata, resource: Deployment.resource)]
        rs.spec.replicas = replicas
        rs.spec.minReadySeconds = d.spec.minReadySeconds
        rs.spec.selector = selector
        var value = rs.toValue()
        value[path: ["spec", "template"]] = template

        var alreadyExists = false
        let created: Informer<ReplicaSet>.Entry
        do {
            let result = try await store.create(value)
            s.written.note(result)
            created = Informer<ReplicaSet>.Entry(object: try ReplicaSet(result.object), value: result.object)
        } catch let error as StoreError where error.code == .alreadyExists {
            // Ours already (a stale cache), or a hash collision with someone else's ReplicaSet.
            let existing = try await store.get(
                ObjectKey(kind: "ReplicaSet", namespace: d.metadata.namespace, name: name))
            if let found = try? ReplicaSet(existing), found.metadata.controllerReference?.uid == d.metadata.uid,
                DeploymentSync.canonicalTemplate(found.spec.template) == s.template
            {
                alreadyExists = true
                created = Informer<ReplicaSet>.Entry(object: found, value: existing)
            } else {
                var status = s.deployment.status
                status.collisionCount = (status.collisionCount ?? 0) + 1
                try await writeStatus(s, status)
                logger.debug(
                    "pod-template-hash collision", metadata: ["object.key": "\(d.key)", "replicaset.name": "\(name)"])
                throw error
            }
        } catch {
            let message = "Failed to create new replica set \"\(name)\": \(error)"
            if s.hasProgressDeadline {
                var status = s.deployment.status
                Conditions.set(
                    &status.conditions,
                    Conditions.make(
                        "Progressing", "False", reason: "ReplicaSetCreateError", message: message, now: s.now))
                try? await writeStatus(s, status)
            }
            await store.record(d.key, .warning, "FailedCreate", message, source: Self.source)
            throw error
        }
        s.replace(created)
        if !alreadyExists && replicas > 0 {
            await store.record(
                d.key, .normal, "ScalingReplicaSet", "Scaled up replica set \(name) from 0 to \(replicas)",
                source: Self.source)
        }
        try await setDeploymentRevision(s, String(newRevision))
        if !alreadyExists && s.hasProgressDeadline {
            var status = s.deployment.status
            Conditions.set(
                &status.conditions,
                Conditions.make(
                    "Progressing", "True", reason: "NewReplicaSetCreated",
                    message: "Created new replica set \"\(name)\"", now: s.now))
            try await writeStatus(s, status)
        }
        return created
    }

    /// Puts `deployment.kubernetes.io/revision` on the Deployment. Our store's status writes carry status only,
    /// so this is a regular update (and, as every annotation change does, it bumps `generation`; this pass
    /// continues with the new generation, which it has observed).
    func setDeploymentRevision(_ s: DeploymentSync, _ revision: String) async throws {
        guard !revision.isEmpty, s.deployment.metadata.annotations[WellKnown.Annotations.revision] != revision else { return }
        let generation = s.deployment.metadata.generation
        let result = try await store.edit(s.deployment.key, uid: s.deployment.metadata.uid) { value in
            guard value[path: ["metadata", "generation"]]?.intValue.map(Int.init) == generation else {
                throw StoreError(.conflict, "the deployment changed while it was being synced", key: s.deployment.key)
            }
            var annotations = value.annotations
            annotations[WellKnown.Annotations.revision] = revision
            value.annotations = annotations
            return true
        }
        guard let result else { return }
        s.written.note(result)
        s.stored = result.object
        s.deployment.metadata.annotations[WellKnown.Annotations.revision] = revision
        s.deployment.metadata.generation = result.object[path: ["metadata", "generation"]]?.intValue.map(Int.init)
        s.deployment.metadata.resourceVersion = result.object[path: ["metadata", "resourceVersion"]]?.stringValue
    }

    // MARK: Scaling

    /// Sets a ReplicaSet's size and its `desired-replicas`/`max-replicas` annotations; records
    /// `ScalingReplicaSet` when the size changed.
    /// - Returns: Whether the size changed.
    @discardableResult
    func scale(_ s: DeploymentSync, _ entry: Informer<ReplicaSet>.Entry, to size: Int) async throws -> Bool {
        let rs = entry.object
        let current = rs.spec.replicas ?? 1
        let sizeChanged = current != size
        let annotationsChanged = DeploymentAnnotations.replicasNeedUpdate(
            rs.metadata.annotations, desired: s.replicas, maxReplicas: s.maxReplicas)
        guard sizeChanged || annotationsChanged else { return false }
        let result = try await store.edit(rs.key, uid: rs.metadata.uid) { value in
            // The decision was made on `current`; if someone else resized the ReplicaSet meanwhile, start over.
            guard (value[path: ["spec", "replicas"]]?.intValue).map(Int.init) ?? 1 == current else {
                throw StoreError(.conflict, "the replica set was resized meanwhile", key: rs.key)
            }
            value[path: ["spec", "replicas"]] = .int(Int64(size))
            var annotations = value.annotations
            _ = DeploymentAnnotations.setReplicas(&annotations, desired: s.replicas, maxReplicas: s.maxReplicas)
            value.annotations = annotations
            return true
        }
        guard let result else { throw StoreError(.conflict, "the replica set is gone", key: rs.key) }
        s.written.note(result)
        if let updated = try? ReplicaSet(result.object) {
            s.replace(Informer<ReplicaSet>.Entry(object: updated, value: result.object))
        }
        if sizeChanged {
            let direction = current < size ? "up" : "down"
            await store.record(
                s.deployment.key, .normal, "ScalingReplicaSet",
                "Scaled \(direction) replica set \(rs.metadata.name) from \(current) to \(size)", source: Self.source)
        }
        return sizeChanged
    }

    /// Deletes the oldest old ReplicaSets beyond `revisionHistoryLimit`, when they are scaled to zero, have
    /// no pods, and their controller has seen their latest spec.
    func cleanupHistory(_ s: DeploymentSync, old: [Informer<ReplicaSet>.Entry]) async throws {
        guard let limit = s.deployment.spec.revisionHistoryLimit else { return }
        let candidates = old.filter { !$0.object.metadata.isDeleting }.sorted {
            let a = DeploymentAnnotations.revision($0.object.metadata.annotations)
            let b = DeploymentAnnotations.revision($1.object.metadata.annotations)
            return a != b ? a < b : Self.oldestFirst($0.object, $1.object)
        }
        let excess = candidates.count - limit
        guard excess > 0 else { return }
        for entry in candidates.prefix(excess) {
            let rs = entry.object
            guard rs.status.replicas == 0, (rs.spec.replicas ?? 1) == 0,
                (rs.metadata.generation ?? 0) <= rs.status.observedGeneration
            else { continue }
            do {
                s.written.note(try await store.delete(rs.key, options: DeleteOptions(uid: rs.metadata.uid)))
                s.remove(uid: rs.metadata.uid)
                logger.debug("deleted old replica set", metadata: ["object.key": "\(rs.key)"])
            } catch let error as StoreError where error.code == .notFound || error.code == .conflict {
                s.remove(uid: rs.metadata.uid)
            }
        }
    }
}
