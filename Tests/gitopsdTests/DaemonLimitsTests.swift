import Foundation
import Glibc
import TestSupport
import Testing

/// The daemon under hostile clients: idle connections are closed, each listener is capped well below the
/// descriptor limit (so the daemon keeps working when clients hold every place), and unsigned webhooks are refused
/// before their body is read. The daemon runs with a small descriptor limit (`ulimit -n 512`) so the caps are
/// reached with a few dozen connections.
@Suite(.serialized) struct DaemonLimitsTests {
    let data: TemporaryDirectory
    let apiPort = LoopbackHTTP.freePort()
    let ingressPort = LoopbackHTTP.freePort()

    init() throws {
        data = try TemporaryDirectory(prefix: "gitopsd-limits")
    }

    /// `gitopsd serve` (the orchestrator alone) with at most 512 descriptors: 16 API connections, 60 Ingress.
    func startDaemon(idleTimeout: String = "1s", _ extra: [String] = []) async throws -> SpawnedProcess {
        let daemon = try SpawnedProcess(
            "/bin/sh",
            [
                "-c", #"ulimit -n 512 && exec "$0" "$@""#, BuiltProducts.executable("gitopsd"),
                "serve", "--data-dir", data.path, "--api-address", "127.0.0.1:\(apiPort)",
                "--ingress-address", "127.0.0.1:\(ingressPort)", "--ingress-tls-address", "",
                "--connection-idle-timeout", idleTimeout, "--log-level", "warning",
            ] + extra)
        let up = await eventually(timeout: .seconds(60)) {
            await LoopbackHTTP.fetch(port: apiPort, path: "/healthz")?.status == 200
        }
        try #require(up)
        return daemon
    }

    @Test func idleAPIConnectionsAreClosedAndConnectionsOverTheCapGet503() async throws {
        let daemon = try await startDaemon()
        defer { daemon.stop() }
        let apiPort = self.apiPort
        let outcome = try await offPool { () -> (refused: String, closed: Int, held: Int) in
            // Take every API place with connections that send nothing.
            let held = (0..<16).compactMap { _ in LoopbackConnection(port: apiPort, timeoutSeconds: 10) }
            usleep(200_000)
            let extra = LoopbackConnection(port: apiPort, timeoutSeconds: 10)
            extra?.send("GET /healthz HTTP/1.1\r\nHost: gitopsd\r\n\r\n")
            let refused = String(decoding: extra?.readToEnd() ?? [], as: UTF8.self)
            // With a 1 s idle timeout, the silent connections are closed by the daemon.
            let closed = held.filter { $0.closesWithoutData() }.count
            return (refused, closed, held.count)
        }
        #expect(outcome.held == 16)
        #expect(outcome.refused.hasPrefix("HTTP/1.1 503 "), "got \(outcome.refused.debugDescription)")
        #expect(outcome.refused.contains("too many open connections"))
        #expect(outcome.closed == 16)
        // Places are free again.
        #expect(await LoopbackHTTP.fetch(port: apiPort, path: "/healthz")?.status == 200)
    }

    @Test func aFloodOfIdleIngressConnectionsIsCappedAndTheAPIKeepsAnswering() async throws {
        let daemon = try await startDaemon(idleTimeout: "3s")
        defer { daemon.stop() }
        let (apiPort, ingressPort) = (self.apiPort, self.ingressPort)
        let outcome = try await offPool { () -> (refused: String, health: Int?, ended: Int) in
            // Silent clients: 60 are served at this limit, a few are told "too many", the rest are closed, and
            // together they are nearly as many as the daemon has descriptors.
            let held = (0..<400).compactMap { _ in LoopbackConnection(port: ingressPort, timeoutSeconds: 15) }
            let health = LoopbackHTTP.request(port: apiPort, path: "/healthz")?.status
            // Once the refusals of the flood are answered (1 s), a new client is told why it cannot come in.
            usleep(1_300_000)
            let extra = LoopbackConnection(port: ingressPort, timeoutSeconds: 15)
            extra?.send("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n")
            let refused = String(decoding: extra?.readToEnd() ?? [], as: UTF8.self)
            // Every connection ends: served ones at the idle timeout, the others sooner.
            let ended = held.filter { $0.readToEnd() != nil }.count
            return (refused, health, ended)
        }
        #expect(outcome.health == 200)
        #expect(outcome.refused.hasPrefix("HTTP/1.1 503 "), "got \(outcome.refused.debugDescription)")
        #expect(outcome.ended == 400)
        #expect(await LoopbackHTTP.fetch(port: apiPort, path: "/healthz")?.status == 200)
    }

    @Test func anUnsignedWebhookIsRefusedBeforeItsBodyIsRead() async throws {
        try data.write("webhook-secret", "s3cret\n")
        let daemon = try await startDaemon(["--webhook-secret-file", data.appending("webhook-secret")])
        defer { daemon.stop() }
        let apiPort = self.apiPort
        let answer = try await offPool { () -> String in
            guard let connection = LoopbackConnection(port: apiPort, timeoutSeconds: 10) else { return "" }
            // A megabyte announced, none of it sent: the answer can only come from the head.
            connection.send(
                "POST /hooks/github HTTP/1.1\r\nHost: gitopsd\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000000\r\n\r\n")
            return String(decoding: connection.readToEnd() ?? [], as: UTF8.self)
        }
        #expect(answer.hasPrefix("HTTP/1.1 401 "), "got \(answer.debugDescription)")
        #expect(answer.contains("missing signature header"))
        let oversized = try await offPool { () -> String in
            guard let connection = LoopbackConnection(port: apiPort, timeoutSeconds: 10) else { return "" }
            connection.send(
                "POST /hooks/github HTTP/1.1\r\nHost: gitopsd\r\nX-Hub-Signature-256: sha256=00\r\n"
                    + "Content-Length: 5000000\r\n\r\n")
            return String(decoding: connection.readToEnd() ?? [], as: UTF8.self)
        }
        #expect(oversized.hasPrefix("HTTP/1.1 413 "), "got \(oversized.debugDescription)")
    }
}
