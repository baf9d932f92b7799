import NIOCore

/// Rewriting of message heads as they cross the Ingress proxy: pure functions from a parsed head to the bytes
/// sent on the next hop. Fields are copied as byte ranges; only what changes is written anew. The bytes are
/// appended to a buffer the caller owns, so a connection can re-use one buffer for every message.
enum ProxyHeaders {
    /// The head to send upstream for a client request.
    ///
    /// Hop-by-hop fields are dropped, `X-Forwarded-For` gets the client appended, `X-Forwarded-Proto` and
    /// `X-Forwarded-Host` are set. An HTTP/1.0 request goes upstream as HTTP/1.0, so the answer is never chunked
    /// (which a 1.0 client cannot read).
    ///
    /// - Parameters:
    ///   - rewriteTarget: a fixed path replacing the request path (the query string is kept).
    ///   - clientIP: the client's address, appended to `X-Forwarded-For`.
    ///   - scheme: `http` or `https`, sent as `X-Forwarded-Proto`.
    ///   - upgrade: keep `Upgrade` and ask for it with `Connection: upgrade` (WebSocket and the like).
    static func upstreamRequest(
        _ head: HTTPHead, rewriteTarget: String?, clientIP: String?, scheme: String, upgrade: Bool,
        into out: inout ByteBuffer
    ) {
        copy(head, head.startFirst, to: &out)
        out.writeStaticString(" ")
        if let rewriteTarget {
            out.writeString(rewriteTarget)
            let target = head.target
            if let query = target.firstIndex(of: "?") { out.writeString(String(target[query...])) }
        } else {
            copy(head, head.startRest, to: &out)
        }
        out.writeStaticString(head.minorVersion == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n")
        var forwardedFor: [Range<Int>] = []
        for field in head.fields {
            switch field.kind {
            case .xForwardedFor:
                forwardedFor.append(field.value)
                continue
            case .xForwardedProto, .xForwardedHost:
                continue
            case .upgrade where upgrade:
                break
            default:
                if field.kind.isHopByHop || head.isNamedByConnection(field) { continue }
            }
            copy(head, field.line, to: &out)
            out.writeStaticString("\r\n")
        }
        if upgrade { out.writeStaticString("Connection: upgrade\r\n") }
        if clientIP != nil || !forwardedFor.isEmpty {
            out.writeStaticString("X-Forwarded-For: ")
            for (index, value) in forwardedFor.enumerated() {
                if index > 0 { out.writeStaticString(", ") }
                copy(head, value, to: &out)
            }
            if let clientIP {
                if !forwardedFor.isEmpty { out.writeStaticString(", ") }
                out.writeString(clientIP)
            }
            out.writeStaticString("\r\n")
        }
        out.writeStaticString(scheme == "https" ? "X-Forwarded-Proto: https\r\n" : "X-Forwarded-Proto: http\r\n")
        if let host = head.host {
            out.writeStaticString("X-Forwarded-Host: ")
            copy(head, host, to: &out)
            out.writeStaticString("\r\n")
        }
        out.writeStaticString("\r\n")
    }

    /// The head to send the client for an upstream response.
    ///
    /// - Parameters:
    ///   - clientMinorVersion: the client request's `HTTP/1.x` minor version, used in the status line.
    ///   - keepAlive: whether the client connection stays open after this response.
    ///   - upgrade: a `101 Switching Protocols` the client asked for: keep `Upgrade`, say `Connection: upgrade`.
    static func clientResponse(
        _ head: HTTPHead, clientMinorVersion: Int, keepAlive: Bool, upgrade: Bool = false, into out: inout ByteBuffer
    ) {
        out.writeStaticString(clientMinorVersion == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        copy(head, head.startRest, to: &out)
        out.writeStaticString("\r\n")
        for field in head.fields {
            if field.kind == .upgrade && upgrade {
                // kept
            } else if field.kind.isHopByHop || head.isNamedByConnection(field) {
                continue
            }
            copy(head, field.line, to: &out)
            out.writeStaticString("\r\n")
        }
        if upgrade {
            out.writeStaticString("Connection: upgrade\r\n")
        } else if !keepAlive {
            out.writeStaticString("Connection: close\r\n")
        } else if clientMinorVersion == 0 {
            out.writeStaticString("Connection: keep-alive\r\n")
        }
        out.writeStaticString("\r\n")
    }

    /// A complete response of the proxy's own: the status and a one-line text body saying why.
    static func localResponse(
        status: Int, reason: String, message: String, clientMinorVersion: Int, keepAlive: Bool, isHead: Bool,
        allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        let body = "\(status) \(reason): \(message)\n"
        var out = allocator.buffer(capacity: 160 + body.utf8.count)
        out.writeStaticString(clientMinorVersion == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        out.writeString("\(status) \(reason)\r\n")
        out.writeStaticString("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ")
        out.writeString(String(body.utf8.count))
        out.writeStaticString("\r\n")
        if !keepAlive {
            out.writeStaticString("Connection: close\r\n")
        } else if clientMinorVersion == 0 {
            out.writeStaticString("Connection: keep-alive\r\n")
        }
        out.writeStaticString("\r\n")
        if !isHead { out.writeString(body) }
        return out
    }

    private static func copy(_ head: HTTPHead, _ range: Range<Int>, to out: inout ByteBuffer) {
        head.bytes.withUnsafeReadableBytes { raw in
            _ = out.writeBytes(UnsafeRawBufferPointer(rebasing: raw[range]))
        }
    }
}
