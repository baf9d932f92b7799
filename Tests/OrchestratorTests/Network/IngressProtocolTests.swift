import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Orchestrator

/// HTTP/1.1 framing through the Ingress proxy, byte for byte: pipelining, chunked bodies both ways, bodies that
/// end with the connection, HTTP/1.0 clients, smuggling shapes, 1xx, timeouts and protocol upgrades. Real
/// sockets on 127.0.0.1.
@Suite struct IngressProtocolTests {
    /// Runs `body` with a raw client of an Ingress proxy whose only rule sends everything to `backend`.
    static func withProxy(
        to backend: HostPort, configuration: IngressServer.Configuration = IngressServerTests.configuration(),
        _ body: (RawClient) async throws -> Void
    ) async throws {
        try await IngressServerTests.withServer(
            configuration: configuration, routing: IngressServerTests.catchAll("b"),
            endpoints: IngressEndpointTable([IngressServerTests.backend("b"): [backend]])
        ) { address in
            let client = try await RawClient(address)
            do {
                try await body(client)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let backend = try await HTTPBackend(name: "a")
        try await Self.withProxy(to: backend.address) { client in
            try await client.send(
                "GET /first HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\nGET /third HTTP/1.1\r\nHost: a\r\n\r\n")
            let text = try await client.read(until: "path=/third")
            let first = try #require(text.range(of: "path=/first"))
            let second = try #require(text.range(of: "path=/second"))
            #expect(first.lowerBound < second.lowerBound)
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 4)
        }
        await backend.stop()
    }

    @Test func chunkedBodiesPassBothWays() async throws {
        let backend = try await HTTPBackend(name: "a")
        try await Self.withProxy(to: backend.address) { client in
            // The backend echoes the body back chunked; the request goes chunked, with an extension and a trailer.
            try await client.send(
                "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n")
            let response = try await client.read(until: "0\r\n\r\n")
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.lowercased().contains("transfer-encoding: chunked"))
            #expect(response.contains("hello"))
            #expect(response.contains("world"))
            // The connection is still good for the next request.
            try await client.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try await client.read(until: "path=/after").contains("path=/after"))
        }
        await backend.stop()
    }

    @Test func bodyUntilCloseClosesTheClientConnectionToo() async throws {
        let backend = try await RawBackend()
        try await Self.withProxy(to: backend.address) { client in
            try await client.send("GET /close HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try await client.readToEnd()
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.contains("Connection: close\r\n"))
            #expect(response.hasSuffix("\r\n\r\nthe body ends with the connection"))
        }
        await backend.stop()
    }

    @Test func chunkedResponseWithTrailersKeepsTheUpstreamConnection() async throws {
        let backend = try await RawBackend()
        try await Self.withProxy(to: backend.address) { client in
            for _ in 0..<3 {
                try await client.send("GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n")
                let response = try await client.read(until: "X-Trailer: done\r\n\r\n")
                #expect(response.contains("5\r\nhello\r\n0\r\n"))
            }
        }
        #expect(backend.connections == 1)
        await backend.stop()
    }

    @Test func http10ClientGetsAnHTTP10Answer() async throws {
        let backend = try await HTTPBackend(name: "a")
        try await Self.withProxy(to: backend.address) { client in
            try await client.send("GET /old HTTP/1.0\r\n\r\n")
            let response = try await client.readToEnd()
            #expect(response.hasPrefix("HTTP/1.0 200 OK\r\n"))
            #expect(response.contains("path=/old"))
        }
        await backend.stop()
    }

    @Test(arguments: [
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ])
    func ambiguousRequestsAreRefusedAndTheConnectionClosed(request: String) async throws {
        let backend = try await RawBackend()
        try await Self.withProxy(to: backend.address) { client in
            try await client.send(request)
            let response = try await client.readToEnd()
            #expect(response.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(response)")
            #expect(response.contains("Connection: close\r\n"))
        }
        await backend.stop()
    }

    @Test func upgradeBecomesATunnel() async throws {
        let backend = try await RawBackend()
        try await Self.withProxy(to: backend.address) { client in
            try await client.send("GET /upgrade HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
            let head = try await client.read(until: "\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
            #expect(head.contains("Upgrade: echo\r\n"))
            #expect(head.contains("Connection: upgrade\r\n"))
            for message in ["ping 1", "ping 2"] {
                try await client.send(message)
                #expect(try await client.read(until: message) == message)
            }
        }
        await backend.stop()
    }

    @Test func unrequestedUpgradeIsABadGateway() async throws {
        let backend = try await RawBackend()
        try await Self.withProxy(to: backend.address) { client in
            try await client.send("GET /upgrade HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try await client.read(until: "asked to\n")
            #expect(response.hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
        }
        await backend.stop()
    }

    @Test func informationalResponsesArePassedOn() async throws {
        let backend = try await RawBackend()
        try await Self.withProxy(to: backend.address) { client in
            try await client.send("POST /continue HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n")
            let response = try await client.read(until: "\r\n\r\nok")
            #expect(response.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"))
        }
        await backend.stop()
    }

    @Test func idleClientsAreClosedAndSilentUpstreamsAreBadGateways() async throws {
        let backend = try await RawBackend()
        var configuration = IngressServerTests.configuration()
        configuration.idleTimeout = .milliseconds(200)
        configuration.upstreamTimeout = .milliseconds(200)
        // Taken before the connection exists, so a slow test thread cannot make the wait look shorter than it was.
        let started = ContinuousClock.now
        try await Self.withProxy(to: backend.address, configuration: configuration) { idle in
            let received = try await idle.readToEnd()
            #expect(received == "")
            let waited = ContinuousClock.now - started
            // Checked once per period: closed after one to two periods (plus scheduling slack).
            #expect(waited >= .milliseconds(200) && waited < .seconds(5), "closed after \(waited)")
        }
        try await Self.withProxy(to: backend.address, configuration: configuration) { silent in
            try await silent.send("GET /hang HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try await silent.read(until: "failed before responding: connection closed\n")
            #expect(response.hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
        }
        await backend.stop()
    }
}

// MARK: - Raw peers

/// An HTTP/1.1 server written on raw bytes, for responses a well-behaved framework would not send:
/// - `/close`: a body delimited by closing the connection;
/// - `/chunked`: a chunked body with a trailer, keep-alive;
/// - `/upgrade`: `101 Switching Protocols`, then echoes every byte;
/// - `/continue`: `100 Continue`, then a short answer;
/// - `/hang`: never answers.
final class RawBackend: Sendable {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    let channel: any Channel
    private let accepted = Counter()
    var connections: Int { accepted.value.load(ordering: .relaxed) }
    var address: HostPort { HostPort(host: "127.0.0.1", port: channel.localAddress!.port!) }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        var received = ""
        var tunnel = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            if tunnel {
                context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
                return
            }
            received += String(buffer: bytes)
            while let end = received.range(of: "\r\n\r\n") {
                let head = String(received[..<end.lowerBound])
                received.removeSubrange(..<end.upperBound)
                respond(to: head, context: context)
            }
        }

        func respond(to head: String, context: ChannelHandlerContext) {
            let path = head.split(separator: " ").dropFirst().first ?? ""
            func send(_ text: String) {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
            }
            switch path {
            case "/close":
                context.writeAndFlush(
                    wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\nthe body ends with the connection"))
                ).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            case "/chunked":
                send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Trailer\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: done\r\n\r\n")
            case "/hang":
                break
            case "/continue":
                send("HTTP/1.1 100 Continue\r\n\r\n")
                send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            case "/upgrade":
                tunnel = true
                send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
            default:
                send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    init() async throws {
        let accepted = self.accepted
        self.channel = try await ServerBootstrap(group: NetworkTestSupport.group)
            .childChannelInitializer { channel in
                accepted.value.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async { try? await channel.close() }
}
