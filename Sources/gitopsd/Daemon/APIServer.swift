import Foundation
import Hummingbird
import Logging
import NIOCore
import Orchestrator
import Prometheus
import Reconciler

/// The daemon's HTTP endpoints: health, readiness, Prometheus metrics, GitOps status, and git webhooks.
enum APIServer {
    /// How many connections the API holds, and how long one may sit idle (or take to send a request head).
    struct Limits: Sendable {
        var connections: ConnectionLimit
        var idleTimeout: Duration = .seconds(60)
    }

    /// Builds the Hummingbird application (a `Service`, run in the daemon's service group).
    static func application(
        address: HostAndPort, sources: [SourceController], registry: PrometheusCollectorRegistry,
        webhooks: WebhookVerifier, limits: Limits, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            var waiting: [String] = []
            for source in sources where await source.status.sync == .unknown {
                waiting.append(source.configuration.name)
            }
            return waiting.isEmpty
                ? text(.ok, "ok\n")
                : text(.serviceUnavailable, "waiting for the first sync of: \(waiting.joined(separator: ", "))\n")
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: registry.emitToString())))
        }
        router.get("gitops/v1/status") { _, _ -> Response in
            var statuses: [SourceStatus] = []
            for source in sources { statuses.append(await source.status) }
            return try json(.ok, ["sources": statuses])
        }
        router.post("hooks/github") { request, _ -> Response in
            // Everything that needs no body is checked first: an unsigned request costs no body read.
            do {
                let signature = try webhooks.checkGitHubHeaders(
                    signatureHeader: request.headers[.init("X-Hub-Signature-256")!],
                    contentLength: contentLength(request))
                try webhooks.verifyGitHub(signature: signature, body: try await collect(request, limit: webhooks.bodyLimit))
            } catch let rejection as WebhookVerifier.Rejection {
                return refuse("github", rejection, logger: logger)
            }
            return trigger(sources, from: "github", logger: logger)
        }
        router.post("hooks/gitlab") { request, _ -> Response in
            do {
                try webhooks.verifyGitLab(
                    tokenHeader: request.headers[.init("X-Gitlab-Token")!], contentLength: contentLength(request))
                // The payload is not used (every source is fetched), but it is read within the limit so the
                // connection can be kept alive.
                _ = try await collect(request, limit: webhooks.bodyLimit)
            } catch let rejection as WebhookVerifier.Rejection {
                return refuse("gitlab", rejection, logger: logger)
            }
            return trigger(sources, from: "gitlab", logger: logger)
        }
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [APIConnectionLimitHandler(limit: limits.connections)],
                    idleTimeout: .milliseconds(Int64(limits.idleTimeout / .milliseconds(1))))),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "gitopsd"),
            logger: logger)
    }

    /// Reads a request body, refusing more than `limit` bytes before they are buffered.
    private static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw WebhookVerifier.Rejection.bodyTooLarge(limit: limit)
        }
    }

    private static func contentLength(_ request: Request) -> Int? {
        request.headers[.contentLength].flatMap { Int($0) }
    }

    /// Answers a refused webhook: 413 for a body over the limit, 401 for the rest. The connection is closed, so an
    /// unread body is never drained.
    private static func refuse(_ webhook: String, _ rejection: WebhookVerifier.Rejection, logger: Logger) -> Response {
        logger.info("webhook refused", metadata: ["webhook": "\(webhook)", "reason": "\(rejection)"])
        var response = text(
            { if case .bodyTooLarge = rejection { .contentTooLarge } else { .unauthorized } }(), "\(rejection)\n")
        response.headers[.connection] = "close"
        return response
    }

    /// A verified webhook: fetch every source now (the payload's branch is not trusted for more than that).
    private static func trigger(_ sources: [SourceController], from host: String, logger: Logger) -> Response {
        for source in sources { source.trigger() }
        logger.info("webhook accepted; fetching now", metadata: ["webhook": "\(host)", "sources": "\(sources.count)"])
        return text(.accepted, "fetching \(sources.count) source(s)\n")
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `host:port` as given on the command line (`--api-address 127.0.0.1:7070`).
struct HostAndPort: Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw CLIError("expected HOST:PORT, got '\(text)'") }
        host = String(text[..<colon])
        self.port = port
    }

    var description: String { "\(host):\(port)" }
}
