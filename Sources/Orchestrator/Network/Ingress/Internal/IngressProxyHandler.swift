import NIOCore
import NIOPosix

/// Proxies the HTTP/1.1 requests of one client connection to upstreams, one exchange at a time.
///
/// The proxy parses heads and follows body framing but forwards bytes, not decoded messages: a request head is
/// rewritten (hop-by-hop fields out, `X-Forwarded-*` in) and its body passes through in the framing it came in;
/// the response comes back the same way. That keeps the per-request work to two small head copies, which is what
/// lets it keep up with nginx.
///
/// Per request: route the head, pick an upstream round-robin (skipping draining endpoints), take a pooled
/// connection or connect (trying the next endpoint when connecting fails), then stream the request body up and
/// the response body down. Reads on each side are held while the other side cannot take more (back-pressure),
/// so bodies are never buffered whole. A request that arrives while the previous response is still going out
/// (pipelining) waits in the buffer. Errors before a response starts become short text responses (400, 404,
/// 502, 503); after it started, the client connection is closed. A `101 Switching Protocols` the client asked for
/// turns the connection into a byte tunnel (WebSocket). Confined to the channel's event loop; upstream
/// connections live on the same loop.
final class IngressProxyHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Settings: Sendable {
        var scheme: String
        var connectTimeout: TimeAmount
        var upstreamTimeout: TimeAmount
        var idleTimeout: TimeAmount
        /// How long a request head may take to arrive once its first byte has; a slower client gets 408.
        var headerTimeout: TimeAmount
        var maxHeaderSize: Int
    }

    /// One request/response exchange.
    private final class Exchange {
        let clientMinorVersion: Int
        var keepAlive: Bool
        let isHead: Bool
        let wantsUpgrade: Bool
        /// The rewritten request head, kept to re-send it when a stale pooled connection has to be replaced.
        let upstreamHead: ByteBuffer
        let candidates: [HostPort]
        var nextCandidate = 0
        /// The upstream address being tried or used; counted in flight there while set.
        private(set) var target: UpstreamTarget?
        var upstream: UpstreamHandler?
        var reused = false
        var retriedStaleConnection = false
        var body: BodyReader
        /// Request body bytes received while no upstream was attached yet.
        var pending: [ByteBuffer] = []
        var requestEnded: Bool
        var bodySent = false
        var responseStarted = false
        var lastError: String?

        init(head: HTTPHead, upstreamHead: ByteBuffer, body: BodyReader, candidates: [HostPort]) {
            self.clientMinorVersion = head.minorVersion
            self.keepAlive = head.wantsKeepAlive
            self.isHead = head.isHeadRequest
            self.wantsUpgrade = head.upgrade != nil && head.connectionUpgrade
            self.upstreamHead = upstreamHead
            self.candidates = candidates
            self.body = body
            self.requestEnded = body.isDone
        }

        func assign(_ target: UpstreamTarget) {
            self.target?.endRequest()
            target.beginRequest()
            self.target = target
        }

        /// Stops counting the exchange at its upstream address.
        func unassign() {
            target?.endRequest()
            target = nil
        }
    }

    private enum State {
        /// Waiting for (the rest of) a request head.
        case idle
        /// A local response was written on a kept-alive connection; the rest of the request body is read and
        /// dropped before the next request.
        case discarding(BodyReader)
        case proxying(Exchange)
        /// After `101 Switching Protocols`: bytes pass both ways unread.
        case tunnel(UpstreamHandler)
        case closed
    }

    private let shared: IngressSharedState
    private let loopState: IngressLoopState
    private let settings: Settings
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var clientIP: String?
    /// Received bytes not yet handled: a partial head, or a pipelined request waiting for the current exchange.
    private var inbound = ByteBuffer()
    private var scanned = 0
    private var pendingRead = false
    private var upstreamNeedsFlush = false
    private var idleTimer: IdleTimer?
    /// Armed only while a head is arriving in pieces (a head that comes in one read never schedules it), so a
    /// client that trickles a head byte by byte cannot hold the connection past `headerTimeout`.
    private var headerTimer: Scheduled<Void>?
    /// Re-used for every message: the field list of the last request head, and the buffers heads are written
    /// into (each is free again once the previous message's bytes have gone out).
    private var fieldStorage: [HTTPHead.Field] = []
    private var requestHeadBuffer = ByteBuffer()
    private var responseHeadBuffer = ByteBuffer()

    init(shared: IngressSharedState, loopState: IngressLoopState, settings: Settings) {
        self.shared = shared
        self.loopState = loopState
        self.settings = settings
    }

    /// Whether the client can take more response bytes; upstream reads are held while it cannot.
    var clientIsWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.clientIP = context.channel.remoteAddress?.ipAddress
        requestHeadBuffer = context.channel.allocator.buffer(capacity: 512)
        responseHeadBuffer = context.channel.allocator.buffer(capacity: 512)
        let timer = IdleTimer(timeout: settings.idleTimeout, eventLoop: context.eventLoop) { self.idle() }
        timer.start()
        idleTimer = timer
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        abandon()
        idleTimer?.stop()
        idleTimer = nil
        headerTimer?.cancel()
        headerTimer = nil
        self.context = nil
    }

    /// No traffic for a whole idle period. Returns whether to keep watching.
    private func idle() -> Bool {
        switch state {
        case .proxying(let exchange) where exchange.requestEnded:
            // Waiting for the upstream: its own timeout applies.
            return true
        case .tunnel:
            // A quiet WebSocket is not an idle HTTP connection; the upstream's timeout applies.
            return true
        case .idle, .discarding, .proxying:
            closeClient()
            return false
        case .closed:
            return false
        }
    }

    // MARK: Client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        idleTimer?.touch()
        var bytes = unwrapInboundIn(data)
        inbound.append(received: &bytes)
        process()
        if case .idle = state, inbound.readableBytes > 0, headerTimer == nil {
            headerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: settings.headerTimeout) {
                self.headerTimedOut()
            }
        }
    }

    /// The head that started arriving `headerTimeout` ago is still incomplete: 408, and close.
    private func headerTimedOut() {
        headerTimer = nil
        guard case .idle = state, inbound.readableBytes > 0 else { return }
        respondLocally(
            status: 408, reason: "Request Timeout", message: "the request head did not arrive in time",
            clientMinorVersion: 1, keepAlive: false, isHead: false, body: BodyReader(.none))
    }

    /// Handles buffered client bytes as far as the current state allows.
    private func process() {
        while context != nil {
            switch state {
            case .closed:
                inbound.moveReaderIndex(forwardBy: inbound.readableBytes)
                return
            case .idle:
                guard readHead() else { return }
            case .proxying(let exchange):
                guard !exchange.requestEnded, inbound.readableBytes > 0 else { return }
                let bytes: ByteBuffer?
                do {
                    bytes = try exchange.body.take(from: &inbound)
                } catch {
                    // The upstream has part of a body it cannot finish reading: neither side can be re-used.
                    badRequestBody(exchange, error)
                    return
                }
                if exchange.body.isDone { exchange.requestEnded = true }
                if let bytes { forward(bytes, exchange: exchange) }
            case .discarding(var reader):
                guard inbound.readableBytes > 0 else { return }
                do {
                    _ = try reader.take(from: &inbound)
                } catch {
                    closeClient()
                    return
                }
                state = reader.isDone ? .idle : .discarding(reader)
            case .tunnel(let upstream):
                guard inbound.readableBytes > 0 else { return }
                let bytes = inbound
                inbound.moveReaderIndex(forwardBy: bytes.readableBytes)
                upstream.send(bytes, flush: false)
                upstreamNeedsFlush = true
                return
            }
        }
    }

    /// Parses the next request head when it has fully arrived and starts its exchange.
    ///
    /// - Returns: whether a head was handled (the caller goes on with the new state).
    private func readHead() -> Bool {
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        while let byte = inbound.getInteger(at: inbound.readerIndex, as: UInt8.self),
            byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        {
            inbound.moveReaderIndex(forwardBy: 1)
        }
        guard inbound.readableBytes > 0 else { return false }
        do {
            guard
                let head = try HTTPHeadParser.takeHead(
                    from: &inbound, scanned: &scanned, limit: settings.maxHeaderSize, isRequest: true,
                    fieldStorage: &fieldStorage)
            else { return false }
            headerTimer?.cancel()
            headerTimer = nil
            try begin(head)
            fieldStorage = head.fields
        } catch {
            refuse(error.reason)
            return false
        }
        return true
    }

    /// Answers 400 to a request that cannot be parsed and closes: where the next request would start is unknown.
    private func refuse(_ reason: String) {
        respondLocally(
            status: 400, reason: "Bad Request", message: reason, clientMinorVersion: 1, keepAlive: false,
            isHead: false, body: BodyReader(.none))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushUpstreamIfNeeded()
        context.fireChannelReadComplete()
    }

    /// Request bytes are written as they are handled and flushed once per batch of reads.
    private func flushUpstreamIfNeeded() {
        guard upstreamNeedsFlush else { return }
        upstreamNeedsFlush = false
        switch state {
        case .proxying(let exchange): exchange.upstream?.flush()
        case .tunnel(let upstream): upstream.flush()
        default: break
        }
    }

    func read(context: ChannelHandlerContext) {
        switch state {
        case .proxying(let exchange):
            if exchange.requestEnded {
                // A pipelined request already waits in the buffer: take no more until this exchange is done.
                guard inbound.readableBytes == 0 else {
                    pendingRead = true
                    return
                }
            } else {
                // Hold the client while no upstream is attached yet or the upstream cannot take more.
                guard let upstream = exchange.upstream, upstream.isWritable else {
                    pendingRead = true
                    return
                }
            }
        case .tunnel(let upstream):
            guard upstream.isWritable else {
                pendingRead = true
                return
            }
        case .idle, .discarding, .closed:
            break
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            switch state {
            case .proxying(let exchange): exchange.upstream?.resumeRead()
            case .tunnel(let upstream): upstream.resumeRead()
            default: break
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandon()
        state = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        abandon()
        state = .closed
        context.close(promise: nil)
    }

    private func resumeClientRead() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }

    private func closeClient() {
        state = .closed
        context?.close(promise: nil)
    }

    // MARK: Exchange

    private func begin(_ head: HTTPHead) throws(HTTPMessageError) {
        guard let context else { return }
        let body = BodyReader(try head.requestFraming())
        let snapshot = shared.currentRouting
        let target = head.target
        // The Host header becomes a string only when some rule names a host.
        let host = snapshot.routing.matchesHosts ? head.hostValue : nil
        guard let route = snapshot.routing.route(host: host, path: target) else {
            let shownHost = IngressRoutingTable.normalizedHost(head.hostValue)
            respondLocally(
                status: 404, reason: "Not Found",
                message: "no Ingress rule matches host \"\(shownHost)\" and path \"\(IngressRoutingTable.pathOnly(target))\"",
                head: head, body: body)
            return
        }
        var endpoints = snapshot.endpoints[route.backend]
        if !snapshot.draining.isEmpty {
            endpoints.removeAll { snapshot.draining.contains($0) }
        }
        guard !endpoints.isEmpty else {
            respondLocally(
                status: 503, reason: "Service Unavailable", message: "no ready endpoint for backend \(route.backend)",
                head: head, body: body)
            return
        }
        var candidates = endpoints
        if endpoints.count > 1 {
            let start = loopState.nextIndex(for: route.backend, count: endpoints.count)
            candidates = Array(endpoints[start...] + endpoints[..<start])
        }
        requestHeadBuffer.clear()
        ProxyHeaders.upstreamRequest(
            head, rewriteTarget: route.rewriteTarget, clientIP: clientIP, scheme: settings.scheme,
            upgrade: head.upgrade != nil && head.connectionUpgrade, into: &requestHeadBuffer)
        let exchange = Exchange(head: head, upstreamHead: requestHeadBuffer, body: body, candidates: candidates)
        state = .proxying(exchange)
        attemptNext(exchange, fromClientRead: true)
    }

    /// Tries the next candidate endpoint, or answers 502 when none is left.
    private func attemptNext(_ exchange: Exchange, fromClientRead: Bool = false) {
        guard exchange.nextCandidate < exchange.candidates.count else {
            fail(exchange, status: 502, reason: "Bad Gateway",
                 "upstream connect failed: \(exchange.lastError ?? "no endpoint reachable")")
            return
        }
        let target = loopState.target(for: exchange.candidates[exchange.nextCandidate])
        exchange.nextCandidate += 1
        exchange.assign(target)
        if let pooled = target.takeIdle() {
            // From the client's channelRead the flush comes with its read-complete, so the head and a body that
            // arrived with it go out in one write.
            attach(pooled, to: exchange, reused: true, flushNow: !fromClientRead)
        } else {
            connect(exchange, to: target)
        }
    }

    private func connect(_ exchange: Exchange, to target: UpstreamTarget) {
        let address = target.address
        let loopState = self.loopState
        let upstreamTimeout = settings.upstreamTimeout
        let bootstrap = ClientBootstrap(group: loopState.eventLoop)
            .connectTimeout(settings.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UpstreamHandler(target: target, timeout: upstreamTimeout))
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
            guard case .proxying(let current) = self.state, current === exchange, exchange.target === target else {
                // The client went away or the exchange moved on meanwhile: keep a fresh connection for later.
                if case .success(let handler) = upstream { target.release(handler) }
                return
            }
            switch upstream {
            case .success(let handler):
                self.attach(handler, to: exchange, reused: false)
            case .failure(let error):
                exchange.unassign()
                exchange.lastError = "\(address): \(error)"
                self.attemptNext(exchange)
            }
        }
    }

    private func attach(_ upstream: UpstreamHandler, to exchange: Exchange, reused: Bool, flushNow: Bool = true) {
        exchange.upstream = upstream
        exchange.reused = reused
        upstream.begin(for: self, requestIsHead: exchange.isHead)
        upstream.send(exchange.upstreamHead, flush: false)
        if !exchange.pending.isEmpty {
            for bytes in exchange.pending { upstream.send(bytes, flush: false) }
            exchange.pending.removeAll()
            exchange.bodySent = true
        }
        if flushNow {
            upstream.flush()
        } else {
            upstreamNeedsFlush = true
        }
        resumeClientRead()
    }

    private func forward(_ bytes: ByteBuffer, exchange: Exchange) {
        guard let upstream = exchange.upstream else {
            exchange.pending.append(bytes)
            return
        }
        exchange.bodySent = true
        upstream.send(bytes, flush: false)
        upstreamNeedsFlush = true
    }

    /// A malformed request body: answer 400 if nothing was answered yet, and close both connections.
    private func badRequestBody(_ exchange: Exchange, _ error: HTTPMessageError) {
        exchange.keepAlive = false
        if exchange.responseStarted {
            abandon()
            closeClient()
        } else {
            fail(exchange, status: 400, reason: "Bad Request", "malformed request body: \(error.reason)")
        }
    }

    // MARK: Upstream side

    /// The exchange `upstream` serves, or `nil` (and the upstream dropped) when it serves none any more.
    private func exchange(servedBy upstream: UpstreamHandler) -> Exchange? {
        guard case .proxying(let exchange) = state, exchange.upstream === upstream, context != nil else {
            upstream.isReusable = false
            upstream.delegate = nil
            upstream.close()
            return nil
        }
        return exchange
    }

    // The calls below come from the `UpstreamHandler` serving this connection, on the event loop both share.

    /// A `1xx` other than `101`: passed on; the final response follows.
    func upstreamInformational(_ head: HTTPHead, from upstream: UpstreamHandler) {
        guard let exchange = exchange(servedBy: upstream) else { return }
        // 100 Continue and friends: pass on (never to HTTP/1.0 clients, RFC 9110 §15.2); the final response follows.
        guard exchange.clientMinorVersion > 0 else { return }
        writeResponseHead(head, exchange: exchange, keepAlive: true, flush: true)
    }

    /// The final response head. `closeDelimited`: the body runs until the upstream closes.
    func upstreamResponseHead(_ head: HTTPHead, closeDelimited: Bool, from upstream: UpstreamHandler) {
        guard let exchange = exchange(servedBy: upstream) else { return }
        exchange.responseStarted = true
        IngressMetrics.record(statusCode: head.status)
        // A body that ends with the upstream's connection cannot be told apart from the next response on a
        // kept-alive client connection: close that one after it too.
        if closeDelimited { exchange.keepAlive = false }
        writeResponseHead(head, exchange: exchange, keepAlive: exchange.keepAlive)
    }

    private func writeResponseHead(
        _ head: HTTPHead, exchange: Exchange, keepAlive: Bool, upgrade: Bool = false, flush: Bool = false
    ) {
        guard let context else { return }
        responseHeadBuffer.clear()
        ProxyHeaders.clientResponse(
            head, clientMinorVersion: exchange.clientMinorVersion, keepAlive: keepAlive, upgrade: upgrade,
            into: &responseHeadBuffer)
        context.write(wrapOutboundOut(responseHeadBuffer), promise: nil)
        if flush { context.flush() }
    }

    func upstreamResponseBody(_ bytes: ByteBuffer, from upstream: UpstreamHandler) {
        guard exchange(servedBy: upstream) != nil, let context else { return }
        idleTimer?.touch()
        context.write(wrapOutboundOut(bytes), promise: nil)
    }

    func upstreamResponseEnd(_ upstream: UpstreamHandler) {
        guard let exchange = exchange(servedBy: upstream) else { return }
        finish(exchange, upstream: upstream)
    }

    /// `101 Switching Protocols`: from now on the connection carries opaque bytes both ways.
    func upstreamSwitchedProtocols(_ head: HTTPHead, from upstream: UpstreamHandler) {
        guard let exchange = exchange(servedBy: upstream) else { return }
        guard exchange.wantsUpgrade else {
            upstream.delegate = nil
            upstream.close()
            exchange.upstream = nil
            fail(exchange, status: 502, reason: "Bad Gateway", "upstream switched protocols without being asked to")
            return
        }
        IngressMetrics.record(statusCode: head.status)
        exchange.unassign()
        // A long-lived tunnel is not a request in flight: draining an endpoint does not wait for it.
        state = .tunnel(upstream)
        writeResponseHead(head, exchange: exchange, keepAlive: true, upgrade: true, flush: true)
        process()
        flushUpstreamIfNeeded()
        resumeClientRead()
    }

    func upstreamTunnelData(_ bytes: ByteBuffer, from upstream: UpstreamHandler) {
        guard case .tunnel(let current) = state, current === upstream, let context else {
            upstream.close()
            return
        }
        idleTimer?.touch()
        context.write(wrapOutboundOut(bytes), promise: nil)
    }

    func upstreamReadComplete(_ upstream: UpstreamHandler) {
        context?.flush()
    }

    func upstreamWritabilityChanged(_ upstream: UpstreamHandler) {
        if upstream.isWritable { resumeClientRead() }
    }

    func upstreamClosed(_ upstream: UpstreamHandler, error: (any Error)?) {
        if case .tunnel(let current) = state, current === upstream {
            closeAfterWrites()
            return
        }
        guard case .proxying(let exchange) = state, exchange.upstream === upstream else { return }
        exchange.upstream = nil
        if exchange.responseStarted {
            // The response is cut short; the client must see the connection end rather than a complete response.
            abandon()
            closeClient()
            return
        }
        let target = exchange.target
        if exchange.reused && !exchange.bodySent && !exchange.retriedStaleConnection && !(error is HTTPMessageError),
            let target
        {
            // A pooled connection the upstream had closed just before we used it: the request never reached
            // the application, so send it again on a fresh connection.
            exchange.retriedStaleConnection = true
            connect(exchange, to: target)
            return
        }
        exchange.unassign()
        let reason = error.map { "\($0)" } ?? "connection closed"
        fail(exchange, status: 502, reason: "Bad Gateway",
             "upstream \(target.map { "\($0.address)" } ?? "") failed before responding: \(reason)")
    }

    /// Completes an exchange after the upstream's response end.
    private func finish(_ exchange: Exchange, upstream: UpstreamHandler) {
        exchange.unassign()
        exchange.upstream = nil
        upstream.delegate = nil
        if upstream.isReusable && exchange.requestEnded {
            upstream.target.release(upstream)
        } else {
            upstream.close()
        }
        // A response that ended before the request body did (an early error, or an echo) leaves unread body bytes
        // behind: close after it. Its head did not say so, as the request might still have ended first.
        if exchange.keepAlive && exchange.requestEnded {
            // The upstream is detached now, so its read-complete will not flush the response's last bytes.
            context?.flush()
            state = .idle
            // A pipelined request may already be waiting; no client read-complete follows to flush it.
            process()
            flushUpstreamIfNeeded()
            resumeClientRead()
        } else {
            closeAfterWrites()
        }
    }

    /// Closes the client connection once everything written to it has gone out.
    private func closeAfterWrites() {
        guard let context else { return }
        state = .closed
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// Answers a failed exchange locally (before any response byte was sent).
    private func fail(_ exchange: Exchange, status: Int, reason: String, _ message: String) {
        if let upstream = exchange.upstream {
            upstream.delegate = nil
            upstream.close()
            exchange.upstream = nil
        }
        exchange.unassign()
        exchange.pending.removeAll()
        respondLocally(
            status: status, reason: reason, message: message, clientMinorVersion: exchange.clientMinorVersion,
            keepAlive: exchange.keepAlive, isHead: exchange.isHead,
            body: exchange.requestEnded ? BodyReader(.none) : exchange.body)
        resumeClientRead()
    }

    private func respondLocally(status: Int, reason: String, message: String, head: HTTPHead, body: BodyReader) {
        respondLocally(
            status: status, reason: reason, message: message, clientMinorVersion: head.minorVersion,
            keepAlive: head.wantsKeepAlive, isHead: head.isHeadRequest, body: body)
    }

    /// Writes a response of the proxy's own; the rest of the request body, if any, is read and dropped after.
    private func respondLocally(
        status: Int, reason: String, message: String, clientMinorVersion: Int, keepAlive: Bool, isHead: Bool,
        body: BodyReader
    ) {
        guard let context else { return }
        IngressMetrics.record(statusCode: status)
        let response = ProxyHeaders.localResponse(
            status: status, reason: reason, message: message, clientMinorVersion: clientMinorVersion,
            keepAlive: keepAlive, isHead: isHead, allocator: context.channel.allocator)
        if !keepAlive {
            state = .closed
            context.writeAndFlush(wrapOutboundOut(response)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
            return
        }
        state = body.isDone ? .idle : .discarding(body)
        context.writeAndFlush(wrapOutboundOut(response), promise: nil)
    }

    /// Drops the current exchange or tunnel when the client connection goes away.
    private func abandon() {
        switch state {
        case .proxying(let exchange):
            state = .closed
            if let upstream = exchange.upstream {
                upstream.delegate = nil
                upstream.close()
                exchange.upstream = nil
            }
            exchange.unassign()
        case .tunnel(let upstream):
            state = .closed
            upstream.delegate = nil
            upstream.close()
        case .idle, .discarding, .closed:
            break
        }
    }
}
