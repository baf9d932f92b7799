import NIOHTTP1
import Testing

@testable import Orchestrator

@Suite struct ProxyHeadersTests {
    @Test func addsForwardedHeadersAndStripsHopByHop() {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "shop.test:8080")
        headers.add(name: "Connection", value: "keep-alive, X-Secret-Hop")
        headers.add(name: "X-Secret-Hop", value: "1")
        headers.add(name: "Keep-Alive", value: "timeout=5")
        headers.add(name: "Upgrade", value: "websocket")
        headers.add(name: "X-Forwarded-For", value: "203.0.113.9")
        headers.add(name: "Content-Length", value: "3")
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/a?b=c", headers: headers)
        let upstream = ProxyHeaders.upstreamRequest(from: head, rewriteTarget: nil, clientIP: "127.0.0.9", scheme: "https")
        #expect(upstream.uri == "/a?b=c")
        #expect(upstream.headers["X-Forwarded-For"] == ["203.0.113.9, 127.0.0.9"])
        #expect(upstream.headers["X-Forwarded-Proto"] == ["https"])
        #expect(upstream.headers["X-Forwarded-Host"] == ["shop.test:8080"])
        #expect(upstream.headers["Host"] == ["shop.test:8080"])
        #expect(upstream.headers["Content-Length"] == ["3"])
        for name in ["Connection", "X-Secret-Hop", "Keep-Alive", "Upgrade"] {
            #expect(!upstream.headers.contains(name: name), "\(name)")
        }
    }

    @Test func rewriteTargetKeepsTheQuery() {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/app/page?x=1")
        #expect(ProxyHeaders.upstreamRequest(from: head, rewriteTarget: "/", clientIP: nil, scheme: "http").uri == "/?x=1")
        let plain = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/app/page")
        #expect(ProxyHeaders.upstreamRequest(from: plain, rewriteTarget: "/v2", clientIP: nil, scheme: "http").uri == "/v2")
    }

    @Test func responseHeadForTheClient() {
        var headers = HTTPHeaders()
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Content-Length", value: "5")
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
        let kept = ProxyHeaders.clientResponse(from: head, keepAlive: true, version: .http1_1)
        #expect(!kept.headers.contains(name: "Connection"))
        #expect(kept.headers["Content-Length"] == ["5"])
        let closing = ProxyHeaders.clientResponse(from: head, keepAlive: false, version: .http1_1)
        #expect(closing.headers["Connection"] == ["close"])
    }
}
