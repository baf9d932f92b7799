import API

/// Which owners an event on a dependent concerns (a Deployment for a ReplicaSet event, a ReplicaSet for a
/// pod event), as Kubernetes' controllers work it out: the controlling owner before and after a change of
/// owner; for an orphan, every owner in its namespace whose selector matches (one of them will adopt it).
enum OwnerKeys {
    static func keys<Owner: KubernetesObject, Dependent: KubernetesObject>(
        for event: InformerEvent<Dependent>, owners: Informer<Owner>, selector: (Owner) -> LabelSelector?
    ) -> [ObjectKey] {
        func owner(_ dependent: Dependent) -> ObjectKey? {
            guard let reference = dependent.metadata.controllerReference, reference.kind == Owner.resource.kind
            else { return nil }
            let key = ObjectKey(kind: reference.kind, namespace: dependent.metadata.namespace, name: reference.name)
            guard let found = owners.get(key), found.metadata.uid == reference.uid else { return nil }
            return key
        }
        func matching(_ dependent: Dependent) -> [ObjectKey] {
            owners.list(namespace: dependent.metadata.namespace).filter { candidate in
                guard let selector = selector(candidate), !selector.isEmpty else { return false }
                return selector.matches(dependent.metadata.labels)
            }.map(\.key)
        }
        switch event {
        case .added(let dependent):
            if dependent.metadata.controllerReference != nil { return owner(dependent).map { [$0] } ?? [] }
            return matching(dependent)
        case .deleted(let dependent):
            return owner(dependent).map { [$0] } ?? []
        case .updated(let old, let new):
            var keys: [ObjectKey] = []
            let referenceChanged = old.metadata.controllerReference != new.metadata.controllerReference
            if referenceChanged, let previous = owner(old) { keys.append(previous) }
            if new.metadata.controllerReference != nil {
                if let current = owner(new), !keys.contains(current) { keys.append(current) }
            } else if referenceChanged || old.metadata.labels != new.metadata.labels {
                keys += matching(new).filter { !keys.contains($0) }
            }
            return keys
        }
    }
}
