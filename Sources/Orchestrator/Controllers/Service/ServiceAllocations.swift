import API

/// Which cluster IP and node ports belong to which Service: the allocators plus their owners.
///
/// A pure value owned by the Service controller (under its lock). Allocations are persisted only through the
/// Services' specs, so after a restart `restore(_:)` marks what the Services in the store already hold, oldest
/// Service first, before anything new is handed out.
struct ServiceAllocations: Sendable {
    /// What one Service holds.
    struct Holding: Sendable, Hashable {
        var uid: String
        var clusterIP: IPv4Address?
        /// Service port identifier (`ServicePort.identifier`) → node port.
        var nodePorts: [String: Int] = [:]
    }

    /// The outcome of allocating for one Service.
    struct Outcome: Sendable, Hashable {
        /// The cluster IP to write to the spec; `nil` for headless and ExternalName Services, and on error.
        var clusterIP: IPv4Address?
        var clusterIPError: NetworkError?
        /// Service port identifier → node port, for NodePort and LoadBalancer Services.
        var nodePorts: [String: Int] = [:]
        /// One message per port whose node port could not be allocated.
        var nodePortErrors: [String] = []
        /// Whether the Service should have node ports at all.
        var wantsNodePorts = false
    }

    private(set) var clusterIPs: ClusterIPAllocator
    private(set) var nodePorts: NodePortAllocator
    private(set) var holdings: [ObjectKey: Holding] = [:]
    private var ipOwners: [IPv4Address: ObjectKey] = [:]
    private var portOwners: [Int: ObjectKey] = [:]

    init(clusterIPs: ClusterIPAllocator, nodePorts: NodePortAllocator) {
        self.clusterIPs = clusterIPs
        self.nodePorts = nodePorts
    }

    /// What `key` holds, if anything.
    func holding(_ key: ObjectKey) -> Holding? { holdings[key] }

    /// Marks the addresses and ports that existing Services already carry in their specs. Services whose status
    /// confirms they held them (a `True` `ClusterIPAllocated` or `NodePortsAllocated` condition) go first, then
    /// the oldest, so when two claim one address the one that had it keeps it. Nothing new is allocated;
    /// conflicts are left for `allocate(for:)` to report.
    mutating func restore(_ services: [Service]) {
        func confirmed(_ service: Service) -> Int {
            service.status.conditions.contains {
                ["ClusterIPAllocated", "NodePortsAllocated"].contains($0.type) && $0.status == "True"
            } ? 0 : 1
        }
        let ordered = services.sorted { a, b in
            (confirmed(a), a.metadata.creationDate, a.key) < (confirmed(b), b.metadata.creationDate, b.key)
        }
        for service in ordered {
            _ = allocate(for: service, allocateNew: false)
        }
    }

    /// Allocates (or confirms) what `service` needs: a cluster IP unless it is headless or ExternalName — the one
    /// it requests in `spec.clusterIP`/`clusterIPs` (in range and free, or already its own), else the one it
    /// held, else the next free one — and for NodePort/LoadBalancer Services a node port per port, likewise.
    /// What it no longer needs is released.
    mutating func allocate(for service: Service, allocateNew: Bool = true) -> Outcome {
        let key = service.key
        let uid = service.metadata.uid ?? ""
        if let held = holdings[key], held.uid != uid { release(key) }  // deleted and created again
        var outcome = Outcome()
        let type = service.serviceType
        if type == "ExternalName" || service.isHeadless {
            release(key)
            return outcome
        }
        var holding = holdings[key] ?? Holding(uid: uid)

        // Cluster IP.
        let requested = [service.spec.clusterIP, service.spec.clusterIPs.first].compactMap { $0 }.first {
            !$0.isEmpty
        }
        if let requested {
            if let address = IPv4Address(requested) {
                if holding.clusterIP == address {
                    outcome.clusterIP = address
                } else {
                    do {
                        try clusterIPs.allocate(address)
                        if let old = holding.clusterIP { releaseIP(old) }
                        holding.clusterIP = address
                        ipOwners[address] = key
                        outcome.clusterIP = address
                    } catch let error where error.code == .alreadyAllocated {
                        let owner = ipOwners[address].map { " to Service \($0.namespace)/\($0.name)" } ?? ""
                        outcome.clusterIPError = NetworkError(
                            .alreadyAllocated, "cluster IP \(address) is already allocated\(owner)")
                    } catch {
                        outcome.clusterIPError = error
                    }
                }
            } else {
                outcome.clusterIPError = NetworkError(
                    .invalidArgument, "cluster IP \"\(requested)\" is not an IPv4 address")
            }
            if outcome.clusterIPError != nil, let old = holding.clusterIP {
                // The spec asks for another address than the one held, and cannot have it: hold none.
                releaseIP(old)
                holding.clusterIP = nil
            }
        } else if let held = holding.clusterIP {
            outcome.clusterIP = held  // the spec lost it (an apply without the field): same address again
        } else if allocateNew {
            do {
                let address = try clusterIPs.allocate()
                holding.clusterIP = address
                ipOwners[address] = key
                outcome.clusterIP = address
            } catch {
                outcome.clusterIPError = error
            }
        }

        // Node ports.
        let wantsNodePorts =
            type == "NodePort" || (type == "LoadBalancer" && service.spec.allocateLoadBalancerNodePorts != false)
        outcome.wantsNodePorts = wantsNodePorts
        var kept: [String: Int] = [:]
        if wantsNodePorts {
            for port in service.spec.ports {
                let id = port.identifier
                if let requested = port.nodePort, requested != 0 {
                    if kept.values.contains(requested) {
                        outcome.nodePortErrors.append("port \(id): node port \(requested) is used by another port")
                    } else if portOwners[requested] == key {
                        kept[id] = requested  // already this Service's
                    } else {
                        do {
                            try nodePorts.allocate(requested)
                            portOwners[requested] = key
                            kept[id] = requested
                        } catch let error where error.code == .alreadyAllocated {
                            let owner = portOwners[requested].map { " to Service \($0.namespace)/\($0.name)" } ?? ""
                            outcome.nodePortErrors.append(
                                "port \(id): node port \(requested) is already allocated\(owner)")
                        } catch {
                            outcome.nodePortErrors.append("port \(id): \(error)")
                        }
                    }
                } else if let held = holding.nodePorts[id], !kept.values.contains(held) {
                    kept[id] = held
                } else if allocateNew {
                    do {
                        let port = try nodePorts.allocate()
                        portOwners[port] = key
                        kept[id] = port
                    } catch {
                        outcome.nodePortErrors.append("port \(id): \(error)")
                    }
                }
            }
        }
        for port in Set(holding.nodePorts.values).subtracting(kept.values) where portOwners[port] == key {
            releasePort(port)
        }
        holding.nodePorts = kept
        outcome.nodePorts = kept
        if holding.clusterIP == nil && holding.nodePorts.isEmpty {
            holdings[key] = nil
        } else {
            holdings[key] = holding
        }
        return outcome
    }

    /// Returns everything `key` holds.
    mutating func release(_ key: ObjectKey) {
        guard let holding = holdings.removeValue(forKey: key) else { return }
        if let address = holding.clusterIP, ipOwners[address] == key { releaseIP(address) }
        for port in holding.nodePorts.values where portOwners[port] == key { releasePort(port) }
    }

    private mutating func releaseIP(_ address: IPv4Address) {
        clusterIPs.release(address)
        ipOwners[address] = nil
    }

    private mutating func releasePort(_ port: Int) {
        nodePorts.release(port)
        portOwners[port] = nil
    }
}
