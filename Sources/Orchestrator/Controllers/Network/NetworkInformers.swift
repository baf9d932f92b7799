import API
import Logging

/// The informers the networking controllers share: one list + watch per kind, one cache, handlers from every
/// controller. Handlers must be added before `run()`.
final class NetworkInformers: Sendable {
    let services: Informer<Service>
    let endpoints: Informer<Endpoints>
    let pods: Informer<Pod>
    let ingresses: Informer<Ingress>
    let secrets: Informer<Secret>

    init(store: any ObjectStore, logger: Logger?) {
        services = Informer(store: store, logger: logger)
        endpoints = Informer(store: store, logger: logger)
        pods = Informer(store: store, logger: logger)
        ingresses = Informer(store: store, logger: logger)
        secrets = Informer(store: store, logger: logger)
    }

    /// Runs every informer until the task is cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.services.run() }
            group.addTask { await self.endpoints.run() }
            group.addTask { await self.pods.run() }
            group.addTask { await self.ingresses.run() }
            group.addTask { await self.secrets.run() }
        }
    }

    /// Returns once every informer has loaded its first list (or the task is cancelled).
    func waitUntilSynced() async {
        await services.waitUntilSynced()
        await endpoints.waitUntilSynced()
        await pods.waitUntilSynced()
        await ingresses.waitUntilSynced()
        await secrets.waitUntilSynced()
    }
}

extension Service {
    /// `spec.type`, defaulted.
    var serviceType: String { spec.type ?? "ClusterIP" }

    /// Whether the Service is headless (`clusterIP: None`).
    var isHeadless: Bool { spec.clusterIP == "None" || (spec.clusterIP == nil && spec.clusterIPs.first == "None") }

    /// The selector as a label selector; `nil` when the Service has none (its Endpoints are written by hand).
    var labelSelector: LabelSelector? {
        spec.selector.isEmpty ? nil : LabelSelector(matchLabels: spec.selector)
    }
}

extension ServicePort {
    /// The port's name, or its number as text when it has none: what identifies it in the proxy table.
    var identifier: String {
        if let name, !name.isEmpty { return name }
        return String(port)
    }

    /// Whether this is a TCP port (the only protocol the proxies carry).
    var isTCP: Bool { (self.protocol ?? "TCP") == "TCP" }
}

extension Endpoints {
    /// The ready addresses behind the Service port named `portName` (`nil`/empty for an unnamed port), as
    /// `ip:port`, sorted, leaving out pods in `terminating`.
    func readyAddresses(portName: String?, excluding terminating: TerminatingPods) -> [HostPort] {
        let name = portName ?? ""
        var result = Set<HostPort>()
        for subset in subsets {
            guard let port = subset.ports.first(where: { ($0.name ?? "") == name }) else { continue }
            for address in subset.addresses where !terminating.contains(address.targetRef?.uid) {
                result.insert(HostPort(host: address.ip, port: port.port))
            }
        }
        return result.sorted()
    }

    /// Every address (ready or not) of the pod with this uid, on every port.
    func addresses(ofPod uid: String) -> [HostPort] {
        var result: [HostPort] = []
        for subset in subsets {
            for address in subset.addresses + subset.notReadyAddresses where address.targetRef?.uid == uid {
                result += subset.ports.map { HostPort(host: address.ip, port: $0.port) }
            }
        }
        return result
    }
}
