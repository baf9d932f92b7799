import NIOCore
import NIOHTTP1

/// What an upstream connection reports to the client connection it currently serves. Called on the event loop
/// both channels share.
protocol UpstreamDelegate: AnyObject {
    func upstreamReceived(_ part: HTTPClientResponsePart, from upstream: UpstreamHandler)
    func upstreamReadComplete(_ upstream: UpstreamHandler)
    func upstreamWritabilityChanged(_ upstream: UpstreamHandler)
    func upstreamClosed(_ upstream: UpstreamHandler, error: (any Error)?)
    /// Whether the client can take more response bytes; upstream reads are held while it cannot.
    var clientIsWritable: Bool { get }
}

/// The last handler of a pooled upstream HTTP/1.1 connection. It hands response parts to its delegate (the
/// client connection it serves) and holds reads while the client cannot take more, so a slow client slows the
/// upstream down instead of filling memory. Confined to its channel's event loop.
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let address: HostPort
    private let loopState: IngressLoopState
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private var closed = false
    /// The client connection served now; `nil` while idle in the pool.
    weak var delegate: (any UpstreamDelegate)?
    /// Whether the last response allows re-use (keep-alive, fully read).
    var isReusable = true

    init(address: HostPort, loopState: IngressLoopState) {
        self.address = address
        self.loopState = loopState
    }

    var isActive: Bool { !closed && (context?.channel.isActive ?? false) }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Sends a request part; `flush` pushes it to the socket.
    func send(_ part: HTTPClientRequestPart, flush: Bool) {
        guard let context else { return }
        context.write(wrapOutboundOut(part), promise: nil)
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
        let part = unwrapInboundIn(data)
        guard let delegate else {
            // Bytes on an idle connection: the upstream is not speaking HTTP as expected; never re-use it.
            isReusable = false
            close()
            return
        }
        if case .head(let head) = part, !head.isKeepAlive {
            isReusable = false
        }
        delegate.upstreamReceived(part, from: self)
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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            // Idle in the pool for too long, or the upstream went silent in the middle of an exchange.
            isReusable = false
            close()
        }
        context.fireUserInboundEventTriggered(event)
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
        loopState.remove(self)
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamClosed(self, error: nil)
        context.fireChannelInactive()
    }
}
