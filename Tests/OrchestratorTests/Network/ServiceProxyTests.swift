import NIOCore
import TestSupport
import Testing

@testable import Orchestrator

/// Real TCP proxies on 127.x addresses in front of real echo servers.
@Suite struct ServiceProxyTests {
    static func key(_ name: String) -> ServicePortKey { ServicePortKey(namespace: "default", service: name, port: "tcp") }

    @Test func roundRobinAcrossReadyEndpoints() async throws {
        let a = try await EchoBackend(name: "a")
        let b = try await EchoBackend(name: "b")
        let proxy = ServiceProxy()
        let statuses = await proxy.apply([
            ServicePortProxySpec(
                key: Self.key("rr"), listen: HostPort(host: "127.10.0.1", port: 0), endpoints: [a.address, b.address])
        ])
        let listen = try #require(statuses[Self.key("rr")]?.boundAddress)
        var seen: [String] = []
        for _ in 0..<4 {
            let client = try await RawClient(listen)
            seen.append(try await client.readLine() ?? "")
            try await client.send("ping\n")
            #expect(try await client.readLine() == "ping")
            await client.close()
        }
        #expect(seen == ["a", "b", "a", "b"])
        await proxy.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func clientIPAffinityKeepsOneEndpoint() async throws {
        let a = try await EchoBackend(name: "a")
        let b = try await EchoBackend(name: "b")
        let proxy = ServiceProxy()
        let statuses = await proxy.apply([
            ServicePortProxySpec(
                key: Self.key("sticky"), listen: HostPort(host: "127.10.0.2", port: 0),
                endpoints: [a.address, b.address], sessionAffinity: .clientIP())
        ])
        let listen = try #require(statuses[Self.key("sticky")]?.boundAddress)
        var seen = Set<String>()
        for _ in 0..<5 {
            let client = try await RawClient(listen)
            seen.insert(try await client.readLine() ?? "")
            await client.close()
        }
        #expect(seen.count == 1)
        #expect(await proxy.affinityEndpoint(for: Self.key("sticky"), clientIP: "127.0.0.1") != nil)
        await proxy.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func noReadyEndpointClosesAtOnce() async throws {
        let proxy = ServiceProxy()
        let statuses = await proxy.apply([
            ServicePortProxySpec(key: Self.key("empty"), listen: HostPort(host: "127.10.0.3", port: 0), endpoints: [])
        ])
        let listen = try #require(statuses[Self.key("empty")]?.boundAddress)
        let client = try await RawClient(listen)
        #expect(await client.endsWithoutData())
        await proxy.shutdown()
    }

    @Test func connectionsOverTheLimitAreClosedAndTheLimitIsSharedByEveryListener() async throws {
        let a = try await EchoBackend(name: "a")
        var configuration = ServiceProxy.Configuration()
        configuration.maxConnections = 2
        let proxy = ServiceProxy(configuration: configuration)
        let statuses = await proxy.apply([
            ServicePortProxySpec(key: Self.key("cap1"), listen: HostPort(host: "127.10.0.20", port: 0), endpoints: [a.address]),
            ServicePortProxySpec(key: Self.key("cap2"), listen: HostPort(host: "127.10.0.21", port: 0), endpoints: [a.address]),
        ])
        let one = try #require(statuses[Self.key("cap1")]?.boundAddress)
        let two = try #require(statuses[Self.key("cap2")]?.boundAddress)
        let first = try await RawClient(one)
        #expect(try await first.readLine() == "a")
        let second = try await RawClient(two)
        #expect(try await second.readLine() == "a")
        // Both places are taken, over two listeners: a third connection to either is closed unanswered.
        let third = try await RawClient(one)
        #expect(await third.endsWithoutData())
        await third.close()
        #expect(proxy.connections.refused == 1)
        // The held connections still work, and a closed one frees its place.
        try await first.send("ping\n")
        #expect(try await first.readLine() == "ping")
        await second.close()
        #expect(await eventually { proxy.connections.current == 1 })
        let fourth = try await RawClient(two)
        #expect(try await fourth.readLine() == "a")
        await fourth.close()
        await first.close()
        await proxy.shutdown()
        await a.stop()
    }

    @Test func failsOverWhenAnEndpointRefuses() async throws {
        let a = try await EchoBackend(name: "a")
        let dead = try await NetworkTestSupport.closedPort()
        let proxy = ServiceProxy()
        let statuses = await proxy.apply([
            ServicePortProxySpec(key: Self.key("fo"), listen: HostPort(host: "127.10.0.4", port: 0), endpoints: [dead, a.address])
        ])
        let listen = try #require(statuses[Self.key("fo")]?.boundAddress)
        for _ in 0..<3 {
            let client = try await RawClient(listen)
            #expect(try await client.readLine() == "a")
            await client.close()
        }
        await proxy.shutdown()
        await a.stop()
    }

    @Test func endpointSwapKeepsEstablishedConnections() async throws {
        let a = try await EchoBackend(name: "a")
        let b = try await EchoBackend(name: "b")
        let proxy = ServiceProxy()
        let listenSpec = HostPort(host: "127.10.0.5", port: 0)
        let statuses = await proxy.apply([ServicePortProxySpec(key: Self.key("swap"), listen: listenSpec, endpoints: [a.address])])
        let listen = try #require(statuses[Self.key("swap")]?.boundAddress)
        let long = try await RawClient(listen)
        #expect(try await long.readLine() == "a")

        // Same listen spec, new endpoints: the listener stays, the old connection stays.
        let after = await proxy.apply([ServicePortProxySpec(key: Self.key("swap"), listen: listenSpec, endpoints: [b.address])])
        #expect(after[Self.key("swap")]?.boundAddress == listen)
        let fresh = try await RawClient(listen)
        #expect(try await fresh.readLine() == "b")
        try await long.send("still here\n")
        #expect(try await long.readLine() == "still here")
        #expect(await proxy.activeConnections(to: a.address) == 1)
        await fresh.close()
        await long.close()
        await proxy.shutdown()
        await a.stop()
        await b.stop()
    }

    @Test func bindFailureIsReportedPerServicePort() async throws {
        let a = try await EchoBackend(name: "a")
        let proxy = ServiceProxy()
        // The echo backend holds this port already.
        let taken = HostPort(host: "127.0.0.1", port: a.address.port)
        let statuses = await proxy.apply([
            ServicePortProxySpec(key: Self.key("taken"), listen: taken, endpoints: [a.address]),
            ServicePortProxySpec(key: Self.key("fine"), listen: HostPort(host: "127.10.0.6", port: 0), endpoints: [a.address]),
        ])
        #expect(statuses[Self.key("taken")]?.error?.code == .bindFailed)
        #expect(statuses[Self.key("fine")]?.boundAddress != nil)
        #expect(await proxy.listeners.keys.sorted() == [Self.key("fine")])
        await proxy.shutdown()
        await a.stop()
    }

    @Test func removedServiceStopsListening() async throws {
        let a = try await EchoBackend(name: "a")
        let proxy = ServiceProxy()
        let statuses = await proxy.apply([
            // A fixed port below the ephemeral range: a freed ephemeral port can be self-connected on loopback.
            ServicePortProxySpec(
                key: Self.key("gone"), listen: HostPort(host: "127.10.0.7", port: Int.random(in: 20000...29999)),
                endpoints: [a.address])
        ])
        let listen = try #require(statuses[Self.key("gone")]?.boundAddress)
        await proxy.apply([])
        #expect(await proxy.listeners.isEmpty)
        await #expect(throws: (any Error).self) { _ = try await RawClient(listen) }
        await proxy.shutdown()
        await a.stop()
    }

    @Test func drainWaitsForOpenConnectionsAndStopsNewOnes() async throws {
        let a = try await EchoBackend(name: "a")
        let b = try await EchoBackend(name: "b")
        let proxy = ServiceProxy()
        let statuses = await proxy.apply([
            ServicePortProxySpec(
                key: Self.key("drain"), listen: HostPort(host: "127.10.0.8", port: 0), endpoints: [a.address, b.address])
        ])
        let listen = try #require(statuses[Self.key("drain")]?.boundAddress)
        let open = try await RawClient(listen)
        #expect(try await open.readLine() == "a")
        // Times out while the connection to `a` is open.
        #expect(await proxy.drain(a.address, timeout: .milliseconds(200)) == false)
        for _ in 0..<3 {
            let client = try await RawClient(listen)
            #expect(try await client.readLine() == "b")
            await client.close()
        }
        await open.close()
        #expect(await proxy.drain(a.address, timeout: .seconds(10)))
        await proxy.shutdown()
        await a.stop()
        await b.stop()
    }
}
