import NIOCore
import NIOHTTP1
import NIOPosix

/// Proxies the HTTP/1.1 requests of one client connection to upstreams, one exchange at a time.
///
/// Per request: route the head, pick an upstream round-robin (skipping draining endpoints), take a pooled
/// connection or connect (trying the next endpoint when connecting fails), then stream the request body up and
/// the response body down. Reads on each side are held while the other side cannot take more (back-pressure),
/// so bodies are never buffered whole. Errors before a response starts become short text responses (404, 502,
/// 503); after it started, the client connection is closed. Confined to the channel's event loop; upstream
/// connections live on the same loop.
final class IngressProxyHandler: ChannelDuplexHandler, UpstreamDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Settings: Sendable {
        var scheme: String
        var connectTimeout: TimeAmount
        var upstreamTimeout: TimeAmount
    }

    /// One request/response exchange.
    private final class Exchange {
        let clientVersion: HTTPVersion
        let keepAlive: Bool
        let isHead: Bool
        let head: HTTPRequestHead
        let candidates: [HostPort]
        var nextCandidate = 0
        /// The address being tried or used; counted in flight while set.
        var address: HostPort?
        var upstream: UpstreamHandler?
        var reused = false
        var retriedStaleConnection = false
        /// Request parts received while no upstream was attached yet.
        var pending: [HTTPClientRequestPart] = []
        var requestEnded = false
        var bodySent = false
        var responseStarted = false
        var lastError: String?

        init(head: HTTPRequestHead, upstreamHead: HTTPRequestHead, candidates: [HostPort]) {
            self.clientVersion = head.version
            self.keepAlive = head.isKeepAlive && head.version != .http1_0
            self.isHead = head.method == .HEAD
            self.head = upstreamHead
            self.candidates = candidates
        }
    }

    private enum State {
        case idle
        /// A local response was written; the rest of the request body is read and dropped.
        case discarding(keepAlive: Bool)
        case proxying(Exchange)
        case closed
    }

    private let shared: IngressSharedState
    private let loopState: IngressLoopState
    private let settings: Settings
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var clientIP: String?
    private var pendingRead = false
    private var upstreamNeedsFlush = false

    init(shared: IngressSharedState, loopState: IngressLoopState, settings: Settings) {
        self.shared = shared
        self.loopState = loopState
        self.settings = settings
    }

    var clientIsWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.clientIP = context.channel.remoteAddress?.ipAddress
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        abandonExchange()
        self.context = nil
    }

    // MARK: Client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .idle = state else {
                context.close(promise: nil)
                return
            }
            begin(head)
        case .body(let body):
            switch state {
            case .proxying(let exchange):
                forward(.body(.byteBuffer(body)), exchange: exchange)
            case .idle, .discarding, .closed:
                break
            }
        case .end(let trailers):
            switch state {
            case .proxying(let exchange):
                exchange.requestEnded = true
                forward(.end(trailers), exchange: exchange)
            case .discarding(let keepAlive):
                if keepAlive {
                    state = .idle
                } else {
                    state = .closed
                    context.close(promise: nil)
                }
            case .idle, .closed:
                break
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if upstreamNeedsFlush, case .proxying(let exchange) = state, let upstream = exchange.upstream {
            upstreamNeedsFlush = false
            upstream.flush()
        }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if case .proxying(let exchange) = state, !exchange.requestEnded {
            // Hold the client while no upstream is attached yet or the upstream cannot take more.
            guard let upstream = exchange.upstream, upstream.isWritable else {
                pendingRead = true
                return
            }
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, case .proxying(let exchange) = state {
            exchange.upstream?.resumeRead()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            switch state {
            case .proxying(let exchange) where exchange.requestEnded:
                // Waiting for the upstream: its own timeout applies.
                break
            case .idle, .discarding, .proxying:
                state = .closed
                context.close(promise: nil)
            case .closed:
                break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandonExchange()
        state = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        abandonExchange()
        state = .closed
        context.close(promise: nil)
    }

    private func resumeClientRead() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }

    // MARK: Exchange

    private func begin(_ head: HTTPRequestHead) {
        let snapshot = shared.currentRouting
        let host = head.headers.first(name: "host")
        guard let route = snapshot.routing.route(host: host, path: head.uri) else {
            let shownHost = IngressRoutingTable.normalizedHost(host)
            respondLocally(
                .notFound, "no Ingress rule matches host \"\(shownHost)\" and path \"\(IngressRoutingTable.pathOnly(head.uri))\"",
                request: head, requestEnded: false)
            return
        }
        var endpoints = snapshot.endpoints[route.backend]
        if !snapshot.draining.isEmpty {
            endpoints.removeAll { snapshot.draining.contains($0) }
        }
        guard !endpoints.isEmpty else {
            respondLocally(
                .serviceUnavailable, "no ready endpoint for backend \(route.backend)", request: head,
                requestEnded: false)
            return
        }
        var candidates = endpoints
        if endpoints.count > 1 {
            let start = loopState.nextIndex(for: route.backend, count: endpoints.count)
            candidates = Array(endpoints[start...] + endpoints[..<start])
        }
        let upstreamHead = ProxyHeaders.upstreamRequest(
            from: head, rewriteTarget: route.rewriteTarget, clientIP: clientIP, scheme: settings.scheme)
        let exchange = Exchange(head: head, upstreamHead: upstreamHead, candidates: candidates)
        state = .proxying(exchange)
        attemptNext(exchange, fromClientRead: true)
    }

    /// Tries the next candidate endpoint, or answers 502 when none is left.
    private func attemptNext(_ exchange: Exchange, fromClientRead: Bool = false) {
        guard exchange.nextCandidate < exchange.candidates.count else {
            fail(exchange, .badGateway, "upstream connect failed: \(exchange.lastError ?? "no endpoint reachable")")
            return
        }
        let address = exchange.candidates[exchange.nextCandidate]
        exchange.nextCandidate += 1
        exchange.address = address
        loopState.beginRequest(to: address)
        if let pooled = loopState.takeIdle(for: address) {
            // From the client's channelRead the flush comes with its read-complete, so the head and a body that
            // arrived with it go out in one write.
            attach(pooled, to: exchange, reused: true, flushNow: !fromClientRead)
        } else {
            connect(exchange, to: address)
        }
    }

    private func connect(_ exchange: Exchange, to address: HostPort) {
        let loopState = self.loopState
        let upstreamTimeout = settings.upstreamTimeout
        let bootstrap = ClientBootstrap(group: loopState.eventLoop)
            .connectTimeout(settings.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // The decoder sees outbound request heads, so it knows a HEAD response has no body.
                    try sync.addHandler(HTTPRequestEncoder())
                    try sync.addHandler(
                        ByteToMessageHandler(
                            HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .forward)))
                    try sync.addHandler(IdleStateHandler(allTimeout: upstreamTimeout))
                    try sync.addHandler(UpstreamHandler(address: address, loopState: loopState))
                }
            }
        let future: EventLoopFuture<any Channel>
        if let socketAddress = try? SocketAddress(ipAddress: address.host, port: address.port) {
            future = bootstrap.connect(to: socketAddress)
        } else {
            future = bootstrap.connect(host: address.host, port: address.port)
        }
        future.assumeIsolated().whenComplete { result in
            let upstream = result.flatMap { channel in
                Result { try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self) }
            }
            guard case .proxying(let current) = self.state, current === exchange, exchange.address == address else {
                // The client went away or the exchange moved on meanwhile: keep a fresh connection for later.
                if case .success(let handler) = upstream { loopState.release(handler) }
                return
            }
            switch upstream {
            case .success(let handler):
                self.attach(handler, to: exchange, reused: false)
            case .failure(let error):
                loopState.endRequest(to: address)
                exchange.address = nil
                exchange.lastError = "\(address): \(error)"
                self.attemptNext(exchange)
            }
        }
    }

    private func attach(_ upstream: UpstreamHandler, to exchange: Exchange, reused: Bool, flushNow: Bool = true) {
        exchange.upstream = upstream
        exchange.reused = reused
        upstream.delegate = self
        upstream.isReusable = true
        upstream.send(.head(exchange.head), flush: false)
        if !exchange.pending.isEmpty {
            let parts = exchange.pending
            exchange.pending.removeAll()
            for part in parts {
                if case .body = part { exchange.bodySent = true }
                upstream.send(part, flush: false)
            }
        }
        if flushNow {
            upstream.flush()
        } else {
            upstreamNeedsFlush = true
        }
        resumeClientRead()
    }

    private func forward(_ part: HTTPClientRequestPart, exchange: Exchange) {
        guard let upstream = exchange.upstream else {
            exchange.pending.append(part)
            return
        }
        if case .body = part { exchange.bodySent = true }
        upstream.send(part, flush: false)
        upstreamNeedsFlush = true
    }

    // MARK: Upstream side

    func upstreamReceived(_ part: HTTPClientResponsePart, from upstream: UpstreamHandler) {
        guard case .proxying(let exchange) = state, exchange.upstream === upstream, let context else {
            upstream.isReusable = false
            upstream.close()
            return
        }
        switch part {
        case .head(let head):
            if head.status.code / 100 == 1 && head.status != .switchingProtocols {
                // 100 Continue and friends: pass on, the final response follows.
                context.writeAndFlush(
                    wrapOutboundOut(.head(HTTPResponseHead(version: exchange.clientVersion, status: head.status))),
                    promise: nil)
                return
            }
            exchange.responseStarted = true
            IngressMetrics.record(head.status)
            let response = ProxyHeaders.clientResponse(
                from: head, keepAlive: exchange.keepAlive, version: exchange.clientVersion)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
        case .body(let body):
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        case .end(let trailers):
            finish(exchange, upstream: upstream, trailers: trailers)
        }
    }

    func upstreamReadComplete(_ upstream: UpstreamHandler) {
        context?.flush()
    }

    func upstreamWritabilityChanged(_ upstream: UpstreamHandler) {
        if upstream.isWritable { resumeClientRead() }
    }

    func upstreamClosed(_ upstream: UpstreamHandler, error: (any Error)?) {
        guard case .proxying(let exchange) = state, exchange.upstream === upstream else { return }
        exchange.upstream = nil
        if exchange.responseStarted {
            // The response is cut short; the client must see the connection end rather than a complete response.
            abandonExchange()
            state = .closed
            context?.close(promise: nil)
            return
        }
        let address = exchange.address
        if exchange.reused && !exchange.bodySent && !exchange.retriedStaleConnection, let address {
            // A pooled connection the upstream had closed just before we used it: the request never reached
            // the application, so send it again on a fresh connection.
            exchange.retriedStaleConnection = true
            connect(exchange, to: address)
            return
        }
        if let address { loopState.endRequest(to: address) }
        exchange.address = nil
        let reason = error.map { "\($0)" } ?? "connection closed"
        fail(exchange, .badGateway, "upstream \(address.map { "\($0)" } ?? "") failed before responding: \(reason)")
    }

    /// Completes an exchange after the upstream's response end.
    private func finish(_ exchange: Exchange, upstream: UpstreamHandler, trailers: HTTPHeaders?) {
        guard let context else { return }
        if let address = exchange.address { loopState.endRequest(to: address) }
        exchange.address = nil
        exchange.upstream = nil
        upstream.delegate = nil
        if upstream.isReusable && exchange.requestEnded {
            loopState.release(upstream)
        } else {
            upstream.close()
        }
        // An early response (before the request body ended) leaves unread body bytes: close after it.
        let keepAlive = exchange.keepAlive && exchange.requestEnded
        // Set the state before writing the end: the pipelining handler may deliver the next request from
        // inside that write.
        state = keepAlive ? .idle : .closed
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
            resumeClientRead()
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    /// Answers a failed exchange locally (before any response byte was sent).
    private func fail(_ exchange: Exchange, _ status: HTTPResponseStatus, _ message: String) {
        if let upstream = exchange.upstream {
            upstream.delegate = nil
            upstream.close()
            exchange.upstream = nil
        }
        if let address = exchange.address {
            loopState.endRequest(to: address)
            exchange.address = nil
        }
        respondLocally(
            status, message, version: exchange.clientVersion, keepAlive: exchange.keepAlive, isHead: exchange.isHead,
            requestEnded: exchange.requestEnded)
        resumeClientRead()
    }

    private func respondLocally(
        _ status: HTTPResponseStatus, _ message: String, request: HTTPRequestHead, requestEnded: Bool
    ) {
        respondLocally(
            status, message, version: request.version, keepAlive: request.isKeepAlive && request.version != .http1_0,
            isHead: request.method == .HEAD, requestEnded: requestEnded)
    }

    private func respondLocally(
        _ status: HTTPResponseStatus, _ message: String, version: HTTPVersion, keepAlive: Bool, isHead: Bool,
        requestEnded: Bool
    ) {
        guard let context else { return }
        let body = "\(status.code) \(status.reasonPhrase): \(message)\n"
        IngressMetrics.record(status)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if !isHead {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        if requestEnded {
            state = keepAlive ? .idle : .closed
        } else {
            state = .discarding(keepAlive: keepAlive)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Drops the current exchange when the client connection goes away.
    private func abandonExchange() {
        guard case .proxying(let exchange) = state else { return }
        state = .closed
        if let upstream = exchange.upstream {
            upstream.delegate = nil
            upstream.close()
            exchange.upstream = nil
        }
        if let address = exchange.address {
            loopState.endRequest(to: address)
            exchange.address = nil
        }
    }
}
