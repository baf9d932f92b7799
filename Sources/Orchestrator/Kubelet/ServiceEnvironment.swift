public import API

/// The Service environment variables Kubernetes injects into a container when it starts (docker-link style).
///
/// For each Service with a cluster IP (not headless `None`, not `ExternalName`, not yet unallocated), with `NAME`
/// its name upper-cased and `-` turned into `_`:
/// `NAME_SERVICE_HOST`, `NAME_SERVICE_PORT` (first port), `NAME_SERVICE_PORT_<PORTNAME>` (each named port),
/// `NAME_PORT` (`tcp://ip:port` of the first port) and, for every port, `NAME_PORT_<port>_<PROTO>`,
/// `..._PROTO`, `..._PORT` and `..._ADDR`.
public enum ServiceEnvironment {
    /// The variables of `services`, ordered by service name (a later service never overrides an earlier one's
    /// variables except on a real name clash, which Kubernetes resolves the same arbitrary way).
    public static func variables(for services: [Service]) -> [EnvironmentVariable] {
        services.sorted { $0.metadata.name < $1.metadata.name }.flatMap(variables(for:))
    }

    /// The variables of one Service; none when it has no usable cluster IP or no ports.
    public static func variables(for service: Service) -> [EnvironmentVariable] {
        guard let ip = service.spec.clusterIP, !ip.isEmpty, ip != "None", service.spec.type != "ExternalName",
            let first = service.spec.ports.first
        else { return [] }
        let name = variableName(service.metadata.name)
        var variables = [
            EnvironmentVariable(name: "\(name)_SERVICE_HOST", value: ip),
            EnvironmentVariable(name: "\(name)_SERVICE_PORT", value: String(first.port)),
        ]
        for port in service.spec.ports {
            guard let portName = port.name, !portName.isEmpty else { continue }
            variables.append(
                EnvironmentVariable(name: "\(name)_SERVICE_PORT_\(variableName(portName))", value: String(port.port)))
        }
        let firstProtocol = (first.protocol ?? "TCP").lowercased()
        variables.append(EnvironmentVariable(name: "\(name)_PORT", value: "\(firstProtocol)://\(ip):\(first.port)"))
        for port in service.spec.ports {
            let proto = (port.protocol ?? "TCP").uppercased()
            let prefix = "\(name)_PORT_\(port.port)_\(proto)"
            variables += [
                EnvironmentVariable(name: prefix, value: "\(proto.lowercased())://\(ip):\(port.port)"),
                EnvironmentVariable(name: "\(prefix)_PROTO", value: proto.lowercased()),
                EnvironmentVariable(name: "\(prefix)_PORT", value: String(port.port)),
                EnvironmentVariable(name: "\(prefix)_ADDR", value: ip),
            ]
        }
        return variables
    }

    /// `my-svc` → `MY_SVC`.
    public static func variableName(_ name: String) -> String {
        String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }
}
