import NIOHTTP1

/// Pure rewriting of request and response heads as they cross the Ingress proxy.
enum ProxyHeaders {
    /// Hop-by-hop headers (RFC 9110 §7.6.1) that apply to one connection only and are never forwarded.
    /// `transfer-encoding` is kept: NIO's encoders use it to frame the body on the next hop.
    static let hopByHop: [String] = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"]

    /// The head to send upstream for a client request.
    ///
    /// - Parameters:
    ///   - head: the request as received from the client.
    ///   - rewriteTarget: a fixed path replacing the request path (the query string is kept).
    ///   - clientIP: the client's address, appended to `X-Forwarded-For`.
    ///   - scheme: `http` or `https`, sent as `X-Forwarded-Proto`.
    static func upstreamRequest(
        from head: HTTPRequestHead, rewriteTarget: String?, clientIP: String?, scheme: String
    ) -> HTTPRequestHead {
        var headers = head.headers
        removeHopByHop(&headers)
        if let clientIP {
            let previous = headers[canonicalForm: "x-forwarded-for"]
            if previous.isEmpty {
                headers.replaceOrAdd(name: "X-Forwarded-For", value: clientIP)
            } else {
                headers.replaceOrAdd(
                    name: "X-Forwarded-For", value: previous.joined(separator: ", ") + ", " + clientIP)
            }
        }
        headers.replaceOrAdd(name: "X-Forwarded-Proto", value: scheme)
        if let host = headers.first(name: "host") {
            headers.replaceOrAdd(name: "X-Forwarded-Host", value: host)
        }
        var uri = head.uri
        if let rewriteTarget {
            if let query = uri.firstIndex(of: "?") {
                uri = rewriteTarget + uri[query...]
            } else {
                uri = rewriteTarget
            }
        }
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: uri, headers: headers)
    }

    /// The head to send the client for an upstream response.
    ///
    /// - Parameters:
    ///   - keepAlive: whether the client connection stays open after this response.
    ///   - version: the client request's HTTP version.
    static func clientResponse(from head: HTTPResponseHead, keepAlive: Bool, version: HTTPVersion) -> HTTPResponseHead {
        var headers = head.headers
        removeHopByHop(&headers)
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if version == .http1_0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        return HTTPResponseHead(version: version, status: head.status, headers: headers)
    }

    /// Removes hop-by-hop headers and any header the `Connection` header names.
    static func removeHopByHop(_ headers: inout HTTPHeaders) {
        for token in headers[canonicalForm: "connection"] {
            let name = token.lowercased()
            if name != "close" && name != "keep-alive" { headers.remove(name: String(name)) }
        }
        for name in hopByHop where headers.contains(name: name) {
            headers.remove(name: name)
        }
    }
}
