import API
import Foundation
import Logging

/// Keeps one `Endpoints` object per Service with a selector — Kubernetes' endpoints controller, for one machine.
///
/// Per Service key (level-triggered, idempotent): the pods the selector picks in the Service's namespace become
/// the subsets computed by `EndpointsBuilder` (ready pods in `addresses`, the others in `notReadyAddresses`,
/// ports resolved to the pods' host ports); the `Endpoints` object of the same name gets them, with the Service's
/// labels and a controller reference to the Service (so the store deletes it with the Service). It is written
/// only when that changes. Services without a selector are left alone: their Endpoints are written by hand.
///
/// Keys come from Service events, from pod events (every Service of the pod's namespace whose selector matches
/// the pod's old or new labels), and from Endpoints events (a hand edit of a managed object is undone).
final class EndpointsController: Sendable {
    static let source = "endpoints-controller"

    /// Labels of the Service not copied to its Endpoints: gitopsd's own bookkeeping of what it applied from git
    /// (an Endpoints object carrying them would look like a managed object that is missing from the repository).
    static let skippedLabelPrefixes = ["gitopsd.io/", "app.kubernetes.io/managed-by"]

    let store: any ObjectStore
    let informers: NetworkInformers
    let terminating: TerminatingPods
    let controller: Controller<ObjectKey>
    let logger: Logger

    init(
        store: any ObjectStore, informers: NetworkInformers, terminating: TerminatingPods, workers: Int,
        queue: WorkQueue<ObjectKey>.Configuration, logger: Logger
    ) {
        self.store = store
        self.informers = informers
        self.terminating = terminating
        self.logger = logger
        controller = Controller(name: "endpoints", configuration: .init(workers: workers, queue: queue), logger: logger)
        let services = informers.services
        informers.synced(before: controller)
        controller.watches(services)
        controller.watches(informers.endpoints) { event in
            let key = event.object.key
            return [ObjectKey(kind: Service.resource.kind, namespace: key.namespace, name: key.name)]
        }
        controller.watches(informers.pods) { event in Self.serviceKeys(for: event, services: services) }
    }

    /// The Services a pod event concerns: those whose selector matches the pod's labels before or after.
    static func serviceKeys(for event: InformerEvent<Pod>, services: Informer<Service>) -> [ObjectKey] {
        var labelSets: [[String: String]] = [event.object.metadata.labels]
        if case .updated(let old, let new) = event, old.metadata.labels != new.metadata.labels {
            labelSets.append(old.metadata.labels)
        }
        return services.list(namespace: event.object.metadata.namespace).filter { service in
            guard let selector = service.labelSelector else { return false }
            return labelSets.contains { selector.matches($0) }
        }.map(\.key)
    }

    /// Queues the Services that select `pod` (the termination hook, before the informers see the deletion).
    func enqueueServices(selecting pod: Pod) async {
        for key in Self.serviceKeys(for: .deleted(pod), services: informers.services) { await controller.enqueue(key) }
    }

    /// Runs the workers until the task is cancelled; the informers must be running.
    func run() async {
        await controller.run { key in try await self.reconcile(key) }
    }

    /// Brings the Endpoints of one Service in line with its pods.
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let service = informers.services.get(key), let selector = service.labelSelector else {
            return .done  // gone (the store deleted its Endpoints with it), or hand-managed
        }
        let terminating = self.terminating
        let pods = informers.pods.list(namespace: key.namespace, selector: selector)
        var desired = Endpoints(
            metadata: ObjectMeta(
                name: key.name, namespace: key.namespace, labels: Self.labels(from: service.metadata.labels)))
        desired.metadata.ownerReferences = [OwnerReference.controller(of: service.metadata, resource: .service)]
        desired.subsets = EndpointsBuilder.subsets(
            for: service, pods: pods, isTerminating: { terminating.contains($0.metadata.uid) })

        let endpointsKey = ObjectKey(kind: Endpoints.resource.kind, namespace: key.namespace, name: key.name)
        let result: WriteResult?
        if let existing = informers.endpoints.get(endpointsKey) {
            if existing.subsets == desired.subsets && existing.metadata.labels == desired.metadata.labels
                && existing.metadata.ownerReferences == desired.metadata.ownerReferences
            {
                return .done
            }
            let wanted = desired.toValue()
            result = try await store.edit(endpointsKey, uid: nil) { value in
                value["subsets"] = wanted["subsets"]
                value[path: ["metadata", "labels"]] = wanted[path: ["metadata", "labels"]]
                value[path: ["metadata", "ownerReferences"]] = wanted[path: ["metadata", "ownerReferences"]]
                return true
            }
        } else {
            do {
                result = try await store.create(desired.toValue())
            } catch let error as StoreError where error.code == .alreadyExists {
                // The cache is behind; wait for it and look again.
                return .requeue(after: .milliseconds(20))
            }
        }
        if let result, result.outcome != .unchanged {
            logger.debug(
                "endpoints written",
                metadata: ["object.key": "\(endpointsKey)", "endpoints.subsets": "\(desired.subsets.count)"])
            await informers.endpoints.waitUntilObserved(result.revision)
        }
        return .done
    }

    static func labels(from serviceLabels: [String: String]) -> [String: String] {
        serviceLabels.filter { label in !skippedLabelPrefixes.contains { label.key.hasPrefix($0) } }
    }
}
