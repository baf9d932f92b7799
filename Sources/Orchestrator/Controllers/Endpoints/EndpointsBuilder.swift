import API

/// Computes a Service's `Endpoints.subsets` from its pods, as Kubernetes' endpoints controller does, with one
/// gitopsd twist: every pod shares 127.0.0.1, so a port is the pod's **host** port for the Service's
/// `targetPort`, read from the `gitopsd.io/ports` annotation the kubelet publishes.
///
/// Pure: no store, no clock.
enum EndpointsBuilder {
    /// The subsets for `service` over `pods` (the pods its selector picks in its namespace).
    ///
    /// A pod counts when it has a pod IP, is not `Succeeded`/`Failed`, and is not being terminated
    /// (`isTerminating`, or a `deletionTimestamp`). Ready pods (or every such pod with
    /// `publishNotReadyAddresses`) go to `addresses`, the others to `notReadyAddresses`. A pod whose target port
    /// cannot be resolved is left out for that port; pods with the same resolved ports share a subset. Sorted, so
    /// the same world always gives the same value.
    static func subsets(for service: Service, pods: [Pod], isTerminating: (Pod) -> Bool) -> [EndpointSubset] {
        let publishNotReady = service.spec.publishNotReadyAddresses == true
        var groups: [[EndpointPort]: (ready: [EndpointAddress], notReady: [EndpointAddress])] = [:]
        for pod in pods {
            guard let ip = pod.status.podIP, !ip.isEmpty, !pod.isTerminal, !pod.metadata.isDeleting,
                !isTerminating(pod)
            else { continue }
            var ports: [EndpointPort] = []
            for servicePort in service.spec.ports {
                guard let hostPort = hostPort(for: servicePort, of: pod) else { continue }
                var port = EndpointPort(name: servicePort.name, port: hostPort)
                port.protocol = servicePort.protocol ?? "TCP"
                port.appProtocol = servicePort.appProtocol
                ports.append(port)
            }
            if ports.isEmpty && !service.spec.ports.isEmpty { continue }
            var address = EndpointAddress(ip: ip)
            address.nodeName = pod.spec.nodeName
            var reference = ObjectReference(kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name)
            reference.uid = pod.metadata.uid
            address.targetRef = reference
            if publishNotReady || pod.isReady {
                groups[ports, default: ([], [])].ready.append(address)
            } else {
                groups[ports, default: ([], [])].notReady.append(address)
            }
        }
        func byPod(_ a: EndpointAddress, _ b: EndpointAddress) -> Bool {
            (a.ip, a.targetRef?.name ?? "") < (b.ip, b.targetRef?.name ?? "")
        }
        let subsets = groups.map { ports, addresses in
            var subset = EndpointSubset()
            subset.ports = ports
            subset.addresses = addresses.ready.sorted(by: byPod)
            subset.notReadyAddresses = addresses.notReady.sorted(by: byPod)
            return subset
        }
        return subsets.sorted { a, b in
            a.ports.map { "\($0.port)/\($0.name ?? "")" }.lexicographicallyPrecedes(
                b.ports.map { "\($0.port)/\($0.name ?? "")" })
        }
    }

    /// The host port a pod serves a Service port on: the binding of its `targetPort` (a number matches a
    /// `containerPort`, a name a port name) in the pod's `gitopsd.io/ports` annotation. A number that no
    /// container declares is taken as it is (the process listens on that port itself, as on a real pod IP).
    /// `nil`: not resolvable (yet), the pod is left out for this port.
    static func hostPort(for servicePort: ServicePort, of pod: Pod) -> Int? {
        let target = servicePort.targetPort ?? .int(servicePort.port)
        if let binding = PodPorts(pod: pod)?.binding(for: target) { return binding.hostPort }
        if case .int(let number) = target, (1...65535).contains(number),
            !pod.spec.containers.contains(where: { $0.ports.contains { $0.containerPort == number } })
        {
            return number
        }
        return nil
    }
}
