import ArgumentParser
import Orchestrator

/// Where the embedded orchestrator's network listens: the Ingress router and the Service addresses.
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("ingress-address"), help: "Address of the Ingress HTTP router.")
    var ingressAddress: String = "127.0.0.1:8080"

    @Option(name: .customLong("ingress-tls-address"), help: "Address of the Ingress HTTPS router ('' for none).")
    var ingressTLSAddress: String = "127.0.0.1:8443"

    @Option(name: .customLong("service-cidr"), help: "Loopback range Service cluster IPs come from.")
    var serviceCIDR: String = "127.10.0.0/16"

    @Option(name: .customLong("node-address"), help: "Address NodePort and LoadBalancer Services listen on.")
    var nodeAddress: String = "127.0.0.1"

    func validate() throws {
        guard HostPort(ingressAddress) != nil else { throw ValidationError("--ingress-address: expected HOST:PORT") }
        if !ingressTLSAddress.isEmpty, HostPort(ingressTLSAddress) == nil {
            throw ValidationError("--ingress-tls-address: expected HOST:PORT or ''")
        }
    }

    /// The orchestrator configuration for `dataDirectory` with these addresses.
    func orchestratorConfiguration(dataDirectory: String) -> EmbeddedOrchestrator.Configuration {
        var configuration = EmbeddedOrchestrator.Configuration(dataDirectory: dataDirectory)
        configuration.network.serviceCIDR = serviceCIDR
        configuration.network.nodeAddress = nodeAddress
        configuration.network.ingressAddress = HostPort(ingressAddress) ?? configuration.network.ingressAddress
        configuration.network.ingressTLSAddress = ingressTLSAddress.isEmpty ? nil : HostPort(ingressTLSAddress)
        return configuration
    }
}
