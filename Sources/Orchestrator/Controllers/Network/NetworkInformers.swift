import API
import Logging

/// The process's informers of the kinds the networking controllers read, taken from the shared factory.
struct NetworkInformers: Sendable {
    let services: Informer<Service>
    let endpoints: Informer<Endpoints>
    let pods: Informer<Pod>
    let ingresses: Informer<Ingress>
    let secrets: Informer<Secret>

    init(_ shared: SharedInformers) {
        services = shared.informer()
        endpoints = shared.informer()
        pods = shared.informer()
        ingresses = shared.informer()
        secrets = shared.informer()
    }

    /// Makes `controller`'s workers wait for every one of these informers: the network controllers read each
    /// other's kinds, and a table built from half-loaded caches would drop live routes.
    func synced<Key>(before controller: Controller<Key>) {
        controller.waitsFor(services)
        controller.waitsFor(endpoints)
        controller.waitsFor(pods)
        controller.waitsFor(ingresses)
        controller.waitsFor(secrets)
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
