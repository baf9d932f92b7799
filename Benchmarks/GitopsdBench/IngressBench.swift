import ArgumentParser
import Orchestrator

/// `gitopsd-bench ingress`: runs gitopsd's Ingress proxy in front of one backend address for a while, so an
/// outside load generator (wrk in `bench/ingress.sh`) can measure it.
struct IngressBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingress",
        abstract: "Run the Ingress proxy (catch-all rule) in front of a backend for a duration.")

    @Option(help: "Backend address (host:port) every request goes to.")
    var backend: String

    @Option(help: "Address the proxy listens on.")
    var listen = "127.0.0.1:8080"

    @Option(help: "Seconds to run before exiting.")
    var duration = 30

    @Option(help: "Event loop threads (default: one per core).")
    var threads: Int?

    func validate() throws {
        guard HostPort(backend) != nil else { throw ValidationError("--backend must be host:port") }
        guard HostPort(listen) != nil else { throw ValidationError("--listen must be host:port") }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        guard let upstream = HostPort(backend), let address = HostPort(listen) else { return }
        let service = IngressBackend(namespace: "bench", service: "backend", port: .number(80))
        var configuration = IngressServer.Configuration()
        configuration.httpAddress = address
        configuration.httpsAddress = nil
        configuration.threads = threads
        let server = IngressServer(
            configuration: configuration,
            routing: IngressRoutingTable(rules: [.init(paths: [.init(path: "/", pathType: .prefix, backend: service)])]),
            endpoints: IngressEndpointTable([service: [upstream]]))
        let bound = try await server.start()
        print("ingress proxy listening on \(bound.http), forwarding to \(upstream) for \(duration)s")
        try? await Task.sleep(for: .seconds(duration))
        await server.shutdown()
    }
}
