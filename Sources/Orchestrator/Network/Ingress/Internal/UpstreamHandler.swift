import NIOCore

/// The last handler of a pooled upstream HTTP/1.1 connection. It follows the responses in the byte stream (head,
/// then the body by its framing) and hands the bytes, unchanged, to its delegate: the client connection it serves
/// (a concrete type, not a protocol: there is one, and the calls are made several times per request).
/// Reads are held while the client cannot take more, so a slow client slows the upstream down instead of filling
/// memory. Confined to its channel's event loop.
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Largest response head accepted from an upstream.
    static let maxHeadSize = 64 * 1024

    private enum Parse {
        case head
        case body(BodyReader)
        case tunnel
    }

    /// The address this connection goes to, with its pool.
    let target: UpstreamTarget
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private var closed = false
    private var inbound = ByteBuffer()
    private var scanned = 0
    private var parse = Parse.head
    private var requestIsHead = false
    /// The last response head's field list, re-used for the next one.
    private var fieldStorage: [HTTPHead.Field] = []
    private let timeout: TimeAmount
    private var idleTimer: IdleTimer?
    /// The client connection served now; `nil` while idle in the pool.
    ///
    /// A strong reference, cleared whenever the exchange ends or either side closes. A weak one would move both
    /// handlers' reference counts to side tables, which cost more on every retain than the whole rest of a request.
    var delegate: IngressProxyHandler?
    /// Whether the last response allows re-use (keep-alive, fully read).
    var isReusable = true

    /// - Parameter timeout: how long the connection may be silent, idle in the pool or while a response is
    ///   awaited, before it is closed.
    init(target: UpstreamTarget, timeout: TimeAmount) {
        self.target = target
        self.timeout = timeout
    }

    /// Open as far as this handler knows: `channelInactive` and `close()` both mark it. Cheaper than asking the
    /// channel, which the pool does twice per request.
    var isActive: Bool { !closed && context != nil }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let timer = IdleTimer(timeout: timeout, eventLoop: context.eventLoop) {
            // Idle in the pool for too long, or the upstream went silent in the middle of an exchange.
            self.isReusable = false
            self.close()
            return false
        }
        timer.start()
        idleTimer = timer
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.stop()
        idleTimer = nil
        delegate = nil
        self.context = nil
    }

    /// Starts an exchange for `delegate`: the next bytes are a response to a request sent now.
    func begin(for delegate: IngressProxyHandler, requestIsHead: Bool) {
        self.delegate = delegate
        self.requestIsHead = requestIsHead
        isReusable = true
        parse = .head
        scanned = 0
    }

    /// Sends request bytes; `flush` pushes them to the socket.
    func send(_ bytes: ByteBuffer, flush: Bool) {
        guard let context else { return }
        idleTimer?.touch()
        context.write(wrapOutboundOut(bytes), promise: nil)
        if flush { context.flush() }
    }

    func flush() {
        context?.flush()
    }

    func close() {
        guard !closed else { return }
        closed = true
        context?.close(promise: nil)
    }

    /// Lets a held read through once the client can take more.
    func resumeRead() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        idleTimer?.touch()
        var bytes = unwrapInboundIn(data)
        guard delegate != nil else {
            // Bytes on an idle connection: the upstream is not speaking HTTP as expected; never re-use it.
            isReusable = false
            close()
            return
        }
        inbound.append(received: &bytes)
        process()
    }

    private func process() {
        while let delegate {
            switch parse {
            case .tunnel:
                guard inbound.readableBytes > 0 else { return }
                let bytes = inbound
                inbound.moveReaderIndex(forwardBy: bytes.readableBytes)
                delegate.upstreamTunnelData(bytes, from: self)
                return
            case .head:
                guard inbound.readableBytes > 0 else { return }
                let head: HTTPHead
                do {
                    guard
                        let complete = try HTTPHeadParser.takeHead(
                            from: &inbound, scanned: &scanned, limit: Self.maxHeadSize, isRequest: false,
                            fieldStorage: &fieldStorage)
                    else { return }
                    head = complete
                } catch {
                    fail(HTTPMessageError("invalid response: \(error.reason)"))
                    return
                }
                if head.status == 101 {
                    parse = .tunnel
                    isReusable = false
                    delegate.upstreamSwitchedProtocols(head, from: self)
                    continue
                }
                if head.status < 200 {
                    delegate.upstreamInformational(head, from: self)
                    continue
                }
                let framing = head.responseFraming(requestWasHead: requestIsHead)
                if !head.wantsKeepAlive || framing == .untilClose { isReusable = false }
                let reader = BodyReader(framing)
                parse = reader.isDone ? .head : .body(reader)
                delegate.upstreamResponseHead(head, closeDelimited: framing == .untilClose, from: self)
                fieldStorage = head.fields
                if reader.isDone {
                    endResponse()
                    return
                }
            case .body(var reader):
                guard inbound.readableBytes > 0 else { return }
                let bytes: ByteBuffer?
                do {
                    bytes = try reader.take(from: &inbound)
                } catch {
                    fail(HTTPMessageError("invalid response body: \(error.reason)"))
                    return
                }
                parse = reader.isDone ? .head : .body(reader)
                if let bytes { delegate.upstreamResponseBody(bytes, from: self) }
                if reader.isDone {
                    endResponse()
                    return
                }
            }
        }
    }

    private func endResponse() {
        // Bytes after the response's end were never asked for: the connection is out of step.
        if inbound.readableBytes > 0 {
            isReusable = false
            inbound.moveReaderIndex(forwardBy: inbound.readableBytes)
        }
        delegate?.upstreamResponseEnd(self)
    }

    /// A protocol error from the upstream: the connection is dropped and the client connection told.
    private func fail(_ error: HTTPMessageError) {
        isReusable = false
        inbound.moveReaderIndex(forwardBy: inbound.readableBytes)
        let delegate = self.delegate
        self.delegate = nil
        close()
        delegate?.upstreamClosed(self, error: error)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete(self)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(self)
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if let delegate, !delegate.clientIsWritable {
            pendingRead = true
            return
        }
        context.read()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        isReusable = false
        let delegate = self.delegate
        self.delegate = nil
        close()
        delegate?.upstreamClosed(self, error: error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        isReusable = false
        target.remove(self)
        let delegate = self.delegate
        self.delegate = nil
        if let delegate, case .body(let reader) = parse, reader.isUntilClose {
            // A body delimited by the connection's end is complete now.
            parse = .head
            delegate.upstreamResponseEnd(self)
        } else {
            delegate?.upstreamClosed(self, error: nil)
        }
        context.fireChannelInactive()
    }
}
