import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Orchestrator

/// Holds the API's connections to a ``ConnectionLimit``. A connection over the cap is answered `503` with
/// `Connection: close` when its request head arrives (or closed after `patience` without one), and one over the
/// refusal allowance is closed at once.
///
/// Hummingbird's own `MaximumAvailableConnections` stops accepting at the limit instead, which leaves clients
/// hanging in the listen backlog with no answer; a 503 tells them (and whoever reads a probe's output) what is
/// wrong, while the bounded refusals keep the descriptors a flood can take bounded too. Confined to the channel's
/// event loop.
final class APIConnectionLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: ConnectionLimit
    private let patience: TimeAmount
    private var admission: ConnectionLimit.Admission?
    private var answered = false
    private var timer: Scheduled<Void>?

    init(limit: ConnectionLimit, patience: TimeAmount = .seconds(1)) {
        self.limit = limit
        self.patience = patience
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let admission = limit.admit()
        self.admission = admission
        switch admission {
        case .admitted:
            break
        case .refused:
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: patience) { bound.value.close(promise: nil) }
        case .dropped:
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if let admission { limit.release(admission) }
        admission = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admission != .admitted else {
            context.fireChannelRead(data)
            return
        }
        guard case .head = unwrapInboundIn(data), !answered else { return }
        answered = true
        var head = HTTPResponse(status: .serviceUnavailable)
        let body = "503 Service Unavailable: the API has too many open connections; retry later\n"
        head.headerFields[.contentType] = "text/plain; charset=utf-8"
        head.headerFields[.contentLength] = String(body.utf8.count)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(string: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
