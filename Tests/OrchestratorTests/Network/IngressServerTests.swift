import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import Orchestrator

/// The Ingress proxy end to end: real HTTP backends, a real client, sockets on 127.0.0.1.
@Suite struct IngressServerTests {
    static func backend(_ name: String) -> IngressBackend { IngressBackend(namespace: "default", service: name, port: .number(80)) }

    static func configuration() -> IngressServer.Configuration {
        var configuration = IngressServer.Configuration()
        configuration.httpAddress = HostPort(host: "127.0.0.1", port: 0)
        configuration.httpsAddress = nil
        configuration.threads = 2
        return configuration
    }

    static func catchAll(_ name: String, rewrite: String? = nil) -> IngressRoutingTable {
        IngressRoutingTable(rules: [
            .init(paths: [.init(path: "/", pathType: .prefix, backend: backend(name), rewriteTarget: rewrite)])
        ])
    }

    /// Runs `body` with the address of a started Ingress server, then shuts it down.
    static func withServer(
        configuration: IngressServer.Configuration = configuration(), routing: IngressRoutingTable,
        endpoints: IngressEndpointTable = IngressEndpointTable(), _ body: (HostPort) async throws -> Void
    ) async throws {
        let server = IngressServer(configuration: configuration, routing: routing, endpoints: endpoints)
        let bound = try await server.start()
        do {
            try await body(bound.http)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// Runs `body` with an HTTP client of a started Ingress server, then closes both.
    static func withClient(
        configuration: IngressServer.Configuration = configuration(), routing: IngressRoutingTable,
        endpoints: IngressEndpointTable = IngressEndpointTable(), _ body: (TestHTTPClient) async throws -> Void
    ) async throws {
        try await withServer(configuration: configuration, routing: routing, endpoints: endpoints) { address in
            let client = try await TestHTTPClient(address)
            do {
                try await body(client)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }

    @Test func routesByHostAndPathWithForwardedHeaders() async throws {
        let a = try await HTTPBackend(name: "a")
        let b = try await HTTPBackend(name: "b")
        let routing = IngressRoutingTable(rules: [
            .init(host: "a.test", paths: [.init(path: "/", pathType: .prefix, backend: Self.backend("a"))]),
            .init(host: "*.b.test", paths: [.init(path: "/api", pathType: .prefix, backend: Self.backend("b"))]),
        ])
        try await Self.withClient(
            routing: routing,
            endpoints: IngressEndpointTable([Self.backend("a"): [a.address], Self.backend("b"): [b.address]])
        ) { client in
            let first = try await client.request("/hello?x=1", host: "a.test:8080", headers: [("X-Forwarded-For", "203.0.113.7")])
            #expect(first.status == .ok)
            #expect(first.field("backend") == "a")
            #expect(first.field("path") == "/hello?x=1")
            #expect(first.field("xff") == "203.0.113.7, 127.0.0.1")
            #expect(first.field("xfp") == "http")
            #expect(first.field("xfh") == "a.test:8080")

            let second = try await client.request("/api/users", host: "x.b.test")
            #expect(second.field("backend") == "b")

            let missing = try await client.request("/other", host: "x.b.test")
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("no Ingress rule matches host \"x.b.test\" and path \"/other\""))
            #expect(client.isActive)
        }
        await a.stop()
        await b.stop()
    }

    @Test func keepAliveToClientAndPooledUpstreamConnections() async throws {
        let a = try await HTTPBackend(name: "a")
        try await Self.withClient(
            routing: Self.catchAll("a"),
            endpoints: IngressEndpointTable([Self.backend("a"): [a.address]])
        ) { client in
            var connections = Set<String>()
            for index in 0..<20 {
                let response = try await client.request("/n\(index)")
                #expect(response.status == .ok)
                connections.insert(response.field("conn") ?? "?")
            }
            // One client connection carried all requests, and one upstream connection was re-used for all.
            #expect(connections.count == 1)
            #expect(client.isActive)
        }
        await a.stop()
    }

    @Test func roundRobinAndFailoverOnConnectError() async throws {
        let a = try await HTTPBackend(name: "a")
        let b = try await HTTPBackend(name: "b")
        let dead = try await NetworkTestSupport.closedPort()
        try await Self.withClient(
            routing: Self.catchAll("svc"),
            endpoints: IngressEndpointTable([Self.backend("svc"): [a.address, dead, b.address]])
        ) { client in
            var seen: [String: Int] = [:]
            for _ in 0..<12 {
                let response = try await client.request("/")
                #expect(response.status == .ok)
                seen[response.field("backend") ?? "?", default: 0] += 1
            }
            #expect(seen.keys.sorted() == ["a", "b"])
        }
        await a.stop()
        await b.stop()
    }

    @Test func errorResponsesSayWhy() async throws {
        let a = try await HTTPBackend(name: "a")
        let dead = try await NetworkTestSupport.closedPort()
        let routing = IngressRoutingTable(rules: [
            .init(paths: [
                .init(path: "/none", pathType: .prefix, backend: Self.backend("none")),
                .init(path: "/dead", pathType: .prefix, backend: Self.backend("dead")),
                .init(path: "/reset", pathType: .exact, backend: Self.backend("a")),
            ])
        ])
        try await Self.withClient(
            routing: routing,
            endpoints: IngressEndpointTable([Self.backend("dead"): [dead], Self.backend("a"): [a.address]])
        ) { client in
            let notFound = try await client.request("/nothing")
            #expect(notFound.status == .notFound)
            #expect(notFound.text.hasPrefix("404 Not Found: no Ingress rule matches"))

            let unavailable = try await client.request("/none")
            #expect(unavailable.status == .serviceUnavailable)
            #expect(unavailable.text.contains("no ready endpoint for backend default/none:80"))

            let refused = try await client.request("/dead")
            #expect(refused.status == .badGateway)
            #expect(refused.text.contains("upstream connect failed"))

            let reset = try await client.request("/reset")
            #expect(reset.status == .badGateway)
            #expect(reset.text.contains("failed before responding"))

            // Still usable after every error.
            #expect(try await client.request("/none").status == .serviceUnavailable)
        }
        await a.stop()
    }

    @Test func streamsLargeBodiesBothWays() async throws {
        let a = try await HTTPBackend(name: "a")
        try await Self.withClient(
            routing: Self.catchAll("a"),
            endpoints: IngressEndpointTable([Self.backend("a"): [a.address]])
        ) { client in
            let block = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 256) }
            var upload = ByteBuffer()
            for _ in 0..<1024 { upload.writeBytes(block) }
            let echoed = try await client.request("/echo", method: .POST, body: upload)
            #expect(echoed.status == .ok)
            #expect(echoed.body.readableBytes == upload.readableBytes)
            #expect(echoed.body == upload)

            let download = try await client.request("/large?n=\(5 * 1024 * 1024)")
            #expect(download.status == .ok)
            #expect(download.body.readableBytes == 5 * 1024 * 1024)

        }
        await a.stop()
    }

    @Test func rewriteTargetReplacesThePath() async throws {
        let a = try await HTTPBackend(name: "a")
        try await Self.withClient(
            routing: Self.catchAll("a", rewrite: "/"),
            endpoints: IngressEndpointTable([Self.backend("a"): [a.address]])
        ) { client in
            let path = try await client.request("/app/page?q=1").field("path")
            #expect(path == "/?q=1")
        }
        await a.stop()
    }

    @Test func oversizedHeadersAreRejected() async throws {
        var configuration = Self.configuration()
        configuration.maxHeaderSize = 4096
        let server = IngressServer(configuration: configuration, routing: Self.catchAll("a"))
        let bound = try await server.start()
        let client = try await TestHTTPClient(bound.http)
        let response = try await client.request("/", headers: [("X-Big", String(repeating: "y", count: 8192))])
        #expect(response.status == .badRequest)
        await client.close()
        await server.shutdown()
    }

    @Test func routingChangeUnderLoadLosesNoRequest() async throws {
        let a = try await HTTPBackend(name: "a")
        let b = try await HTTPBackend(name: "b")
        let server = IngressServer(
            configuration: Self.configuration(), routing: Self.catchAll("a"),
            endpoints: IngressEndpointTable([Self.backend("a"): [a.address]]))
        let bound = try await server.start()
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let client = try await TestHTTPClient(bound.http)
                    var seen: [String] = []
                    for _ in 0..<125 {
                        let response = try await client.request("/")
                        seen.append(response.status == .ok ? (response.field("backend") ?? "?") : "status \(response.status.code)")
                    }
                    await client.close()
                    return seen
                }
            }
            group.addTask {
                // Swap endpoints first (b gets ready), then the routing, then remove a: the order a controller uses.
                _ = await eventually { a.requests.load(ordering: .relaxed) >= 100 }
                server.updateEndpoints(IngressEndpointTable([Self.backend("a"): [a.address], Self.backend("b"): [b.address]]))
                server.updateRouting(Self.catchAll("b"))
                server.updateEndpoints(IngressEndpointTable([Self.backend("b"): [b.address]]))
                return []
            }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        #expect(results.count == 500)
        #expect(results.allSatisfy { $0 == "a" || $0 == "b" })
        #expect(results.contains("a") && results.contains("b"))
        await server.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func drainLetsInFlightRequestsFinish() async throws {
        let a = try await HTTPBackend(name: "a")
        let b = try await HTTPBackend(name: "b")
        let server = IngressServer(
            configuration: Self.configuration(), routing: Self.catchAll("svc"),
            endpoints: IngressEndpointTable([Self.backend("svc"): [a.address]]))
        let bound = try await server.start()
        let slow = Task { () async throws -> TestResponse in
            let client = try await TestHTTPClient(bound.http)
            let response = try await client.request("/slow?ms=3000")
            await client.close()
            return response
        }
        #expect(await eventually { await server.requestsInFlight(to: a.address) == 1 })
        // The pod-termination path: new endpoints without a, then drain a.
        server.updateEndpoints(IngressEndpointTable([Self.backend("svc"): [a.address, b.address]]))
        let drained = Task { await server.drain(a.address, timeout: .seconds(10)) }
        let client = try await TestHTTPClient(bound.http)
        for _ in 0..<4 {
            // a is still listed but draining: every new request goes to b.
            #expect(try await client.request("/").field("backend") == "b")
        }
        #expect(await drained.value)
        let slowResponse = try await slow.value
        #expect(slowResponse.status == .ok)
        #expect(slowResponse.field("backend") == "a")
        await client.close()
        await server.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func bindFailureIsAnError() async throws {
        let a = try await HTTPBackend(name: "a")
        var configuration = Self.configuration()
        configuration.httpAddress = a.address
        let server = IngressServer(configuration: configuration)
        do {
            try await server.start()
            Issue.record("expected a bind failure")
        } catch {
            #expect(error.code == .bindFailed)
        }
        await server.shutdown()
        await a.stop()
    }
}
