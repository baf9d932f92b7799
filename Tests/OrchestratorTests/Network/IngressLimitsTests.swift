import Glibc
import Synchronization
import TestSupport
import Testing

@testable import Orchestrator

/// What keeps clients from taking the Ingress (and the daemon's descriptors) down: the connection cap, the
/// request-head timeout, and no answer before the routing tables are in place. Real sockets on 127.0.0.1.
@Suite struct IngressLimitsTests {
    @Test func connectionsOverTheLimitAre503AndTheLimitFreesWhenOneCloses() async throws {
        let backend = try await HTTPBackend(name: "a")
        var configuration = IngressServerTests.configuration()
        configuration.maxConnections = 2
        try await IngressServerTests.withServer(
            configuration: configuration, routing: IngressServerTests.catchAll("a"),
            endpoints: IngressEndpointTable([IngressServerTests.backend("a"): [backend.address]])
        ) { address in
            let first = try await TestHTTPClient(address)
            let second = try await TestHTTPClient(address)
            #expect(try await first.request("/").status.code == 200)
            #expect(try await second.request("/").status.code == 200)

            let refused = try await RawClient(address)
            try await refused.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            let answer = try await refused.readToEnd()
            #expect(answer.hasPrefix("HTTP/1.1 503 "))
            #expect(answer.contains("too many open connections"))
            await refused.close()

            // The two held connections were not disturbed, and closing one makes room for a new one.
            #expect(try await first.request("/").status.code == 200)
            await second.close()
            var admitted = false
            for _ in 0..<100 where !admitted {
                let client = try await TestHTTPClient(address)
                admitted = (try? await client.request("/").status.code) == 200
                await client.close()
                if !admitted { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(admitted)
            await first.close()
        }
        await backend.stop()
    }

    @Test func aHeadTrickledByteByByteGets408() async throws {
        let backend = try await HTTPBackend(name: "a")
        var configuration = IngressServerTests.configuration()
        configuration.headerTimeout = .milliseconds(300)
        configuration.idleTimeout = .seconds(30)
        try await IngressServerTests.withServer(
            configuration: configuration, routing: IngressServerTests.catchAll("a"),
            endpoints: IngressEndpointTable([IngressServerTests.backend("a"): [backend.address]])
        ) { address in
            let answer = try await offPool { () -> String in
                guard let connection = LoopbackConnection(port: address.port, timeoutSeconds: 10) else { return "" }
                // A byte every 50 ms keeps any idle timer happy; only a deadline on the whole head ends this.
                for byte in "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + String(repeating: "z", count: 200) {
                    if connection.hasInput || !connection.send(String(byte)) { break }
                    usleep(50_000)
                }
                return String(decoding: connection.readToEnd() ?? [], as: UTF8.self)
            }
            #expect(answer.hasPrefix("HTTP/1.1 408 "), "got \(answer.debugDescription)")
        }
        await backend.stop()
    }

    @Test func aServerWithoutTablesHoldsConnectionsUntilTheyAreInPlace() async throws {
        let backend = try await HTTPBackend(name: "a")
        let server = IngressServer(configuration: IngressServerTests.configuration())
        let bound = try await server.start()
        let answered = Atomic<Bool>(false)
        let request = Task {
            let response = await LoopbackHTTP.fetch(port: bound.http.port, path: "/", timeoutSeconds: 20)
            answered.store(true, ordering: .sequentiallyConsistent)
            return response
        }
        try await Task.sleep(for: .milliseconds(300))
        // Before the tables, the connection waits in the listen backlog: no 404 from an empty table.
        let early = answered.load(ordering: .sequentiallyConsistent)
        #expect(!early)

        server.updateRouting(IngressServerTests.catchAll("a"))
        server.updateEndpoints(IngressEndpointTable([IngressServerTests.backend("a"): [backend.address]]))
        server.acceptConnections()
        let response = await request.value
        #expect(response?.status == 200)
        #expect(response?.body.contains("backend=a") == true)
        await server.shutdown()
        await backend.stop()
    }
}
