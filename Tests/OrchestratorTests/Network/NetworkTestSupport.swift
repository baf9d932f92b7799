import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

@testable import Orchestrator

/// Test peers for the network data plane: real sockets on 127.0.0.1.
enum NetworkTestSupport {
    static let group = MultiThreadedEventLoopGroup.singleton

    /// A port that nothing listens on (bound once, then closed).
    static func closedPort() async throws -> HostPort {
        let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        try await channel.close()
        return HostPort(host: "127.0.0.1", port: port)
    }
}

// MARK: - TCP echo backend

/// A TCP server that greets each connection with its name and a newline, then echoes what it receives.
final class EchoBackend: Sendable {
    let name: String
    let channel: any Channel
    var address: HostPort { HostPort(host: "127.0.0.1", port: channel.localAddress!.port!) }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let name: String
        init(name: String) { self.name = name }
        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: name + "\n")), promise: nil)
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    init(name: String) async throws {
        self.name = name
        self.channel = try await ServerBootstrap(group: NetworkTestSupport.group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(name: name))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async { try? await channel.close() }
}

/// A TCP test client that sends text and reads bytes: up to a marker, a line, or the connection's end.
final class RawClient {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var buffer = ""

    init(_ address: HostPort) async throws {
        channel = try await ClientBootstrap(group: NetworkTestSupport.group).connect(
            host: address.host, port: address.port
        ) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        iterator = channel.inbound.makeAsyncIterator()
    }

    func send(_ text: String) async throws {
        try await channel.outbound.write(ByteBuffer(string: text))
    }

    /// Everything received up to and including `marker`.
    func read(until marker: String) async throws -> String {
        while true {
            if let range = buffer.range(of: marker) {
                let text = String(buffer[..<range.upperBound])
                buffer.removeSubrange(..<range.upperBound)
                return text
            }
            guard let chunk = try await iterator.next() else {
                throw TestError("connection ended before \(marker.debugDescription); got \(buffer.debugDescription)")
            }
            buffer += String(buffer: chunk)
        }
    }

    /// The next line without its newline, or `nil` when the connection ended first.
    func readLine() async throws -> String? {
        do {
            return String(try await read(until: "\n").dropLast())
        } catch is TestError {
            return nil
        }
    }

    /// Whether the connection ends (EOF or reset) before any byte arrives.
    func endsWithoutData() async -> Bool {
        do {
            return try await iterator.next() == nil
        } catch {
            return true
        }
    }

    /// Everything received until the server closes the connection.
    func readToEnd() async throws -> String {
        while let chunk = try await iterator.next() { buffer += String(buffer: chunk) }
        defer { buffer = "" }
        return buffer
    }

    func close() async { try? await channel.channel.close() }
}

// MARK: - HTTP backend

/// An HTTP/1.1 server standing in for a pod.
///
/// - `/echo`: streams the request body back as it arrives (chunked).
/// - `/large?n=N`: answers N bytes of `x`.
/// - `/slow?ms=N`: answers after N milliseconds.
/// - `/reset`: closes the connection without answering.
/// - anything else: a text body `backend=… conn=… path=… xff=… xfp=… xfh=…`, one per line.
final class HTTPBackend: Sendable {
    let name: String
    let channel: any Channel
    let requests = Atomic<Int>(0)
    var address: HostPort { HostPort(host: "127.0.0.1", port: channel.localAddress!.port!) }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let name: String
        let connectionID: Int
        let backend: HTTPBackend
        var head: HTTPRequestHead?

        init(name: String, connectionID: Int, backend: HTTPBackend) {
            self.name = name
            self.connectionID = connectionID
            self.backend = backend
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                backend.requests.add(1, ordering: .relaxed)
                if head.uri.hasPrefix("/echo") {
                    var headers = HTTPHeaders()
                    headers.add(name: "Transfer-Encoding", value: "chunked")
                    context.writeAndFlush(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                } else if head.uri.hasPrefix("/reset") {
                    context.close(promise: nil)
                }
            case .body(let body):
                if head?.uri.hasPrefix("/echo") == true {
                    context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                }
            case .end:
                guard let head else { return }
                let uri = head.uri
                if uri.hasPrefix("/echo") {
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                } else if uri.hasPrefix("/large") {
                    let n = Int(uri.split(separator: "=").last ?? "0") ?? 0
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Length", value: String(n))
                    context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                    var remaining = n
                    while remaining > 0 {
                        let size = min(remaining, 64 * 1024)
                        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: "x"), count: size)))), promise: nil)
                        remaining -= size
                    }
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                } else if uri.hasPrefix("/slow") {
                    let ms = Int64(uri.split(separator: "=").last ?? "0") ?? 0
                    let body = describe(head)
                    let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                    context.eventLoop.scheduleTask(in: .milliseconds(ms)) {
                        let (handler, context) = loopBound.value
                        handler.respond(context: context, body: body)
                    }
                } else if !uri.hasPrefix("/reset") {
                    respond(context: context, body: describe(head))
                }
            }
        }

        func describe(_ head: HTTPRequestHead) -> String {
            [
                "backend=\(name)", "conn=\(connectionID)", "path=\(head.uri)",
                "xff=\(head.headers["X-Forwarded-For"].joined(separator: ","))",
                "xfp=\(head.headers["X-Forwarded-Proto"].joined(separator: ","))",
                "xfh=\(head.headers["X-Forwarded-Host"].joined(separator: ","))",
            ].joined(separator: "\n") + "\n"
        }

        func respond(context: ChannelHandlerContext, body: String) {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "Content-Type", value: "text/plain")
            context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    init(name: String) async throws {
        self.name = name
        let connections = Atomic<Int>(0)
        let box = Mutex<HTTPBackend?>(nil)
        self.channel = try await ServerBootstrap(group: NetworkTestSupport.group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = connections.wrappingAdd(1, ordering: .relaxed).newValue
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        Handler(name: name, connectionID: id, backend: box.withLock { $0! }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        box.withLock { $0 = self }
    }

    func stop() async { try? await channel.close() }
}

// MARK: - HTTP client

struct TestResponse {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
    var text: String { String(buffer: body) }

    /// A `key=value` line of an ``HTTPBackend`` description.
    func field(_ key: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(key + "=") {
            return String(line.dropFirst(key.count + 1))
        }
        return nil
    }
}

/// A keep-alive HTTP/1.1 client over one connection; requests go one at a time.
final class TestHTTPClient {
    private let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
    private var iterator: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator

    init(_ address: HostPort) async throws {
        channel = try await ClientBootstrap(group: NetworkTestSupport.group).connect(
            host: address.host, port: address.port
        ) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                    wrappingChannelSynchronously: channel)
            }
        }
        iterator = channel.inbound.makeAsyncIterator()
    }

    var isActive: Bool { channel.channel.isActive }

    func request(
        _ path: String, method: HTTPMethod = .GET, host: String = "example.test", headers extra: [(String, String)] = [],
        body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        for (name, value) in extra { headers.add(name: name, value: value) }
        if let body { headers.add(name: "Content-Length", value: String(body.readableBytes)) }
        try await channel.outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
        if var body {
            while body.readableBytes > 0 {
                let chunk = body.readSlice(length: min(body.readableBytes, 64 * 1024))!
                try await channel.outbound.write(.body(.byteBuffer(chunk)))
            }
        }
        try await channel.outbound.write(.end(nil))
        var head: HTTPResponseHead?
        var received = ByteBuffer()
        while let part = try await iterator.next() {
            switch part {
            case .head(let h) where h.status.code >= 200: head = h
            case .head: continue
            case .body(var chunk): received.writeBuffer(&chunk)
            case .end:
                guard let head else { throw TestError("end without head") }
                return TestResponse(status: head.status, headers: head.headers, body: received)
            }
        }
        throw TestError("connection closed before the response ended")
    }

    func close() async { try? await channel.channel.close() }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
