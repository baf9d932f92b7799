import Foundation
import Hummingbird
import Logging
import Prometheus
import Reconciler

/// The daemon's HTTP endpoints: health, readiness, Prometheus metrics, GitOps status, and git webhooks.
enum APIServer {
    /// Builds the Hummingbird application (a `Service`, run in the daemon's service group).
    static func application(
        address: HostAndPort, sources: [SourceController], registry: PrometheusCollectorRegistry,
        webhooks: WebhookVerifier, logger: Logger
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
            let body = try await collect(request, limit: webhooks.bodyLimit)
            do {
                try webhooks.verifyGitHub(
                    signatureHeader: request.headers[.init("X-Hub-Signature-256")!], body: body)
            } catch {
                logger.info("webhook refused", metadata: ["webhook": "github", "reason": "\(error)"])
                return text(.unauthorized, "\(error)\n")
            }
            return trigger(sources, from: "github", logger: logger)
        }
        router.post("hooks/gitlab") { request, _ -> Response in
            let body = try await collect(request, limit: webhooks.bodyLimit)
            do {
                try webhooks.verifyGitLab(tokenHeader: request.headers[.init("X-Gitlab-Token")!], body: body)
            } catch {
                logger.info("webhook refused", metadata: ["webhook": "gitlab", "reason": "\(error)"])
                return text(.unauthorized, "\(error)\n")
            }
            return trigger(sources, from: "gitlab", logger: logger)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "gitopsd"),
            logger: logger)
    }

    /// Reads a request body, refusing more than `limit` bytes before they are buffered.
    private static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw HTTPError(.contentTooLarge, message: "body larger than \(limit) bytes")
        }
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
