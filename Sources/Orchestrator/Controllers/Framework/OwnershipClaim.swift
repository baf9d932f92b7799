import API
import Foundation

/// Claims dependents for an owner the way Kubernetes' controllers do (its `ControllerRefManager`): a dependent
/// the owner controls stays claimed while its labels match the owner's selector and is released when they stop
/// matching; an orphan that matches is adopted by adding a controller reference.
///
/// Every write re-reads the dependent and re-checks the condition that justified it, with the stored
/// `resourceVersion` as precondition, so a stale cache never adopts a dependent another owner took meanwhile or
/// releases one whose labels were fixed. Adoption first re-reads the owner itself: the cache may still hold an
/// owner that was deleted (or replaced under the same name).
struct OwnershipClaim<Owner: KubernetesObject, Dependent: KubernetesObject> {
    let store: any ObjectStore
    let owner: Owner
    let selector: LabelSelector

    /// The dependents among `candidates` that the owner controls once orphans are adopted and non-matching ones
    /// released; every write made is noted in `written`. A deleting owner adopts and releases nothing.
    func claim(
        _ candidates: [Informer<Dependent>.Entry], written: inout WrittenRevisions
    ) async throws -> [Informer<Dependent>.Entry] {
        let uid = owner.metadata.uid ?? ""
        var claimed: [Informer<Dependent>.Entry] = []
        var mayAdopt: Bool?
        for entry in candidates {
            let dependent = entry.object
            let matches = selector.matches(dependent.metadata.labels)
            if let reference = dependent.metadata.controllerReference {
                guard reference.uid == uid else { continue }
                if matches {
                    claimed.append(entry)
                } else if !owner.metadata.isDeleting {
                    written.note(try await release(dependent, from: uid))
                }
                continue
            }
            guard matches, !owner.metadata.isDeleting, !dependent.metadata.isDeleting else { continue }
            if mayAdopt == nil { mayAdopt = try await ownerIsCurrent() }
            guard mayAdopt == true else { continue }
            if let result = try await adopt(dependent), let adopted = try? Dependent(result.object) {
                written.note(result)
                claimed.append(Informer<Dependent>.Entry(object: adopted, value: result.object))
            }
        }
        return claimed
    }

    private func ownerIsCurrent() async throws -> Bool {
        do {
            let fresh = try await store.get(owner.key)
            return fresh[path: ["metadata", "uid"]]?.stringValue == owner.metadata.uid
                && fresh[path: ["metadata", "deletionTimestamp"]] == nil
        } catch let error as StoreError where error.code == .notFound {
            return false
        }
    }

    private func adopt(_ dependent: Dependent) async throws -> WriteResult? {
        let reference = OwnerReference.controller(of: owner.metadata, resource: Owner.resource)
        let selector = self.selector
        return try await store.edit(dependent.key, uid: dependent.metadata.uid) { value in
            guard let fresh = try? Dependent(value), fresh.metadata.controllerReference == nil,
                !fresh.metadata.isDeleting, selector.matches(fresh.metadata.labels)
            else { return false }
            let references = value[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
            value[path: ["metadata", "ownerReferences"]] = .array(references + [reference.value])
            return true
        }
    }

    private func release(_ dependent: Dependent, from uid: String) async throws -> WriteResult? {
        let selector = self.selector
        return try await store.edit(dependent.key, uid: dependent.metadata.uid) { value in
            guard let fresh = try? Dependent(value), !selector.matches(fresh.metadata.labels) else { return false }
            let references = value[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
            let kept = references.filter { $0["uid"]?.stringValue != uid }
            guard kept.count != references.count else { return false }
            value[path: ["metadata", "ownerReferences"]] = kept.isEmpty ? nil : .array(kept)
            return true
        }
    }
}
