import API
import Foundation
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

@testable import Orchestrator

/// Pods replaced one by one under load, with the real kubelet running real processes and the networking
/// controllers' termination hook: no request fails.
@Suite struct ZeroDowntimeTests {
    /// An HTTP/1.1 keep-alive server on `$PORT` that answers every GET with its pod's name, sending the headers
    /// and the first half of the body, then the rest 60 ms later, so requests are in flight whenever a pod is
    /// told to stop. SIGTERM ends it at once (Python's default): a response cut there cannot be retried by the
    /// proxy and reaches the client truncated, so only a drain before SIGTERM keeps every request whole.
    static let server = """
        import http.server, os, time
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                body = (os.environ["POD_NAME"] + " " + "x" * 64).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:20])
                self.wfile.flush()
                time.sleep(0.06)
                self.wfile.write(body[20:])
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """

    /// A pod running `server`; `marker` goes into its command line so the test can find its processes.
    static func pod(_ name: String, marker: String) -> Pod {
        var container = Container(name: "main", image: "example/web:1")
        container.command = ["python3", "-c", "# \(marker)\n" + server]
        container.ports = [ContainerPort(name: "http", containerPort: 8080)]
        var readiness = API.Probe()
        readiness.httpGet = API.HTTPGetAction(path: "/ready", port: .string("http"))
        readiness.periodSeconds = 1
        container.readinessProbe = readiness
        var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: ["app": "web"]))
        pod.spec.containers = [container]
        pod.spec.terminationGracePeriodSeconds = 2
        return pod
    }

    @Test func replacingPodsUnderLoadLosesNoRequest() async throws {
        let harness = try await NetworkHarness()
        let data = try TemporaryDirectory()
        let marker = "zero-downtime-\(UUID().uuidString)"
        let configuration = Kubelet.Configuration(
            dataDirectory: data.path, nodeName: "test-node", statusCoalescing: .milliseconds(20),
            storeRetryInterval: .milliseconds(100), beforeTerminate: harness.network.beforeTerminateHook)
        let runtime = ProcessRuntime(
            configuration: .init(
                logsDirectory: configuration.logsDirectory, defaultGracePeriod: .seconds(2), podUser: nil))
        let kubelet = Kubelet(store: harness.store, runtime: runtime, configuration: configuration)
        let kubeletTask = Task { await kubelet.run() }

        try await harness.create(
            testService("web", selector: "web", ports: [ServicePort(name: "http", port: 80, targetPort: "http")]))
        try await harness.create(
            IngressControllerTests.ingress(
                "web", host: "zero.test", paths: [("/", API.IngressBackend(serviceName: "web", portName: "http"))]))
        try await harness.create(Self.pod("web-1", marker: marker))
        try await harness.create(Self.pod("web-2", marker: marker))
        await harness.wait(Endpoints.self, "web", timeout: .seconds(20)) {
            Set($0.ready("http").keys) == ["web-1", "web-2"]
        }
        await IngressControllerTests.request(harness, host: "zero.test", "/") { $0.status == .ok }

        // Clients: keep-alive connections to the Ingress, one request after another, until told to stop.
        let stop = StopFlag()
        let address = harness.bound.http
        let clients = (0..<3).map { _ in
            Task { () -> [String] in
                var outcomes: [String] = []
                var client: TestHTTPClient?
                while !stop.isSet && outcomes.count < 5000 {
                    do {
                        if client == nil || client?.isActive == false { client = try await TestHTTPClient(address) }
                        let response = try await client!.request("/", host: "zero.test")
                        let name = response.text.split(separator: " ").first.map(String.init) ?? ""
                        let whole = response.text.hasSuffix(String(repeating: "x", count: 64))
                        outcomes.append(
                            response.status == .ok && whole ? "200 \(name)" : "\(response.status.code) \(response.text)"
                        )
                    } catch {
                        outcomes.append("error \(error)")
                        await client?.close()
                        client = nil
                    }
                }
                await client?.close()
                return outcomes
            }
        }

        for (old, new) in [("web-1", "web-3"), ("web-2", "web-4")] {
            try await harness.create(Self.pod(new, marker: marker))
            await harness.wait(Endpoints.self, "web", timeout: .seconds(20)) { $0.ready("http")[new] != nil }
            try await Task.sleep(for: .milliseconds(300))  // let the new pod take some traffic
            try await harness.deletePod(old)
            await harness.wait(Endpoints.self, "web") { $0.ready("http")[old] == nil }
        }
        // Requests go on after the old processes are gone.
        #expect(await eventually(timeout: .seconds(20)) { processes(containing: marker).count == 2 })
        try await Task.sleep(for: .milliseconds(500))
        stop.set()
        var outcomes: [String] = []
        for client in clients { outcomes += await client.value }

        let failures = outcomes.filter { !$0.hasPrefix("200 ") }
        #expect(failures.isEmpty, "\(failures.count) of \(outcomes.count) requests failed: \(failures.prefix(5))")
        #expect(outcomes.count > 30)
        let served = Set(outcomes.map { $0.dropFirst(4) })
        #expect(served.isSuperset(of: ["web-1", "web-2", "web-3", "web-4"]), "served by \(served)")

        await kubelet.shutdown(keepWorkloads: false)
        kubeletTask.cancel()
        await kubeletTask.value
        await harness.stop()
    }
}

/// A flag the client tasks poll.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
