import API

/// Turns a Pod's typed probes into the node runtime's `Probe`s.
enum ProbeTranslation {
    /// The node probe for `probe`; named ports are resolved against the container's ports (a name the
    /// container does not declare is kept, and the checker reports it). Throws for handlers the node cannot
    /// run (gRPC, HTTPS), with a message for a warning event.
    static func translate(_ probe: API.Probe, container: Container) throws(NodeError) -> Probe {
        let configuration = Probe.Configuration(
            initialDelay: .seconds(max(0, probe.initialDelaySeconds ?? 0)),
            period: .seconds(max(1, probe.periodSeconds ?? 10)),
            timeout: .seconds(max(1, probe.timeoutSeconds ?? 1)),
            successThreshold: probe.successThreshold ?? 1,
            failureThreshold: probe.failureThreshold ?? 3)
        if let exec = probe.exec {
            return Probe(.exec(ExecAction(command: exec.command)), configuration: configuration)
        }
        if let get = probe.httpGet {
            if let scheme = get.scheme, scheme.uppercased() != "HTTP" {
                throw NodeError(.invalidSpec, "httpGet probes with scheme \(scheme) are not supported")
            }
            let action = HTTPGetAction(
                path: get.path ?? "/", port: port(get.port, container), host: get.host,
                headers: get.httpHeaders.map { HTTPHeader(name: $0.name, value: $0.value) })
            return Probe(.httpGet(action), configuration: configuration)
        }
        if let tcp = probe.tcpSocket {
            return Probe(
                .tcpSocket(TCPSocketAction(port: port(tcp.port, container), host: tcp.host)),
                configuration: configuration)
        }
        if probe.grpc != nil {
            throw NodeError(.invalidSpec, "grpc probes are not supported")
        }
        throw NodeError(.invalidSpec, "the probe has no handler")
    }

    /// A probe port: a number, or a container port's name resolved to its number.
    static func port(_ port: IntOrString, _ container: Container) -> ProbePort {
        switch port {
        case .int(let number):
            return .number(number)
        case .string(let text):
            if let number = Int(text) { return .number(number) }
            if let declared = container.ports.first(where: { $0.name == text }) {
                return .number(declared.containerPort)
            }
            return .name(text)
        }
    }
}
