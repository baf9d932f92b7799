import NIOCore

/// Answers a connection accepted over the Ingress's connection limit with `503` and closes it.
///
/// It waits for the client's first bytes before answering (or at most `patience`), so the answer comes after the
/// request instead of racing it: closing a socket with an unread request in it makes the kernel send a reset,
/// and the client would see "connection reset" instead of the 503. Confined to the channel's event loop.
final class OverCapacityHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let patience: TimeAmount
    private var answered = false
    private var timer: Scheduled<Void>?

    init(patience: TimeAmount = .seconds(1)) {
        self.patience = patience
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: patience) { self.answer(bound.value) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        answer(context)
    }

    private func answer(_ context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        timer?.cancel()
        timer = nil
        IngressMetrics.record(statusCode: 503)
        let response = ProxyHeaders.localResponse(
            status: 503, reason: "Service Unavailable",
            message: "the Ingress has too many open connections; retry later", clientMinorVersion: 1,
            keepAlive: false, isHead: false, allocator: context.channel.allocator)
        context.writeAndFlush(wrapOutboundOut(response)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
