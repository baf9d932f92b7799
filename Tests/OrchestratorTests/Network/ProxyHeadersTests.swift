import NIOCore
import Testing

@testable import Orchestrator

@Suite struct ProxyHeadersTests {
    static func request(_ text: String) throws -> HTTPHead {
        try HTTPHeadParser.parseRequest(ByteBuffer(string: text))
    }

    static func lines(_ buffer: ByteBuffer) -> [String] {
        String(buffer: buffer).components(separatedBy: "\r\n")
    }

    static func upstream(
        _ head: HTTPHead, rewriteTarget: String? = nil, clientIP: String? = nil, scheme: String = "http", upgrade: Bool = false
    ) -> [String] {
        var out = ByteBuffer()
        ProxyHeaders.upstreamRequest(
            head, rewriteTarget: rewriteTarget, clientIP: clientIP, scheme: scheme, upgrade: upgrade, into: &out)
        return lines(out)
    }

    static func client(_ head: HTTPHead, minor: Int, keepAlive: Bool) -> [String] {
        var out = ByteBuffer()
        ProxyHeaders.clientResponse(head, clientMinorVersion: minor, keepAlive: keepAlive, into: &out)
        return lines(out)
    }

    @Test func addsForwardedHeadersAndStripsHopByHop() throws {
        let head = try Self.request(
            "POST /a?b=c HTTP/1.1\r\nHost: shop.test:8080\r\nConnection: keep-alive, X-Secret-Hop\r\nX-Secret-Hop: 1\r\n"
                + "Keep-Alive: timeout=5\r\nUpgrade: websocket\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: ftp\r\n"
                + "Content-Length: 3\r\n\r\n")
        let upstream = Self.upstream(head, clientIP: "127.0.0.9", scheme: "https")
        #expect(upstream.first == "POST /a?b=c HTTP/1.1")
        #expect(upstream.contains("X-Forwarded-For: 203.0.113.9, 127.0.0.9"))
        #expect(upstream.contains("X-Forwarded-Proto: https"))
        #expect(!upstream.contains("X-Forwarded-Proto: ftp"))
        #expect(upstream.contains("X-Forwarded-Host: shop.test:8080"))
        #expect(upstream.contains("Host: shop.test:8080"))
        #expect(upstream.contains("Content-Length: 3"))
        #expect(upstream.suffix(2) == ["", ""])
        for name in ["Connection", "X-Secret-Hop", "Keep-Alive", "Upgrade"] {
            #expect(!upstream.contains { $0.hasPrefix(name + ":") }, "\(name)")
        }
    }

    @Test func upgradeIsKeptWhenAsked() throws {
        let head = try Self.request(
            "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n")
        let upstream = Self.upstream(head, upgrade: true)
        #expect(upstream.contains("Upgrade: websocket"))
        #expect(upstream.contains("Connection: upgrade"))
        #expect(upstream.contains("Sec-WebSocket-Key: k"))
    }

    @Test func rewriteTargetKeepsTheQuery() throws {
        let withQuery = try Self.request("GET /app/page?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
        let plain = try Self.request("GET /app/page HTTP/1.0\r\n\r\n")
        #expect(Self.upstream(withQuery, rewriteTarget: "/").first == "GET /?x=1 HTTP/1.1")
        // An HTTP/1.0 client's request goes up as 1.0, so the answer is never chunked.
        #expect(Self.upstream(plain, rewriteTarget: "/v2").first == "GET /v2 HTTP/1.0")
    }

    @Test func responseHeadForTheClient() throws {
        let head = try HTTPHeadParser.parseResponse(
            ByteBuffer(string: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\nServer: x\r\n\r\n"))
        let kept = Self.client(head, minor: 1, keepAlive: true)
        #expect(kept == ["HTTP/1.1 200 OK", "Content-Length: 5", "Server: x", "", ""])
        let closing = Self.client(head, minor: 1, keepAlive: false)
        #expect(closing.contains("Connection: close"))
        let old = Self.client(head, minor: 0, keepAlive: true)
        #expect(old.first == "HTTP/1.0 200 OK")
        #expect(old.contains("Connection: keep-alive"))
    }

    @Test func localResponseSaysWhy() {
        let response = ProxyHeaders.localResponse(
            status: 503, reason: "Service Unavailable", message: "no ready endpoint", clientMinorVersion: 1,
            keepAlive: true, isHead: false, allocator: .init())
        let text = String(buffer: response)
        #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(text.hasSuffix("\r\n\r\n503 Service Unavailable: no ready endpoint\n"))
        #expect(text.contains("Content-Length: 43\r\n"))
        let head = ProxyHeaders.localResponse(
            status: 404, reason: "Not Found", message: "x", clientMinorVersion: 1, keepAlive: false, isHead: true,
            allocator: .init())
        #expect(String(buffer: head).hasSuffix("Connection: close\r\n\r\n"))
    }
}
