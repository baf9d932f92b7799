import Foundation
import Glibc
import TestSupport
import Testing

@testable import Orchestrator

/// A Python HTTP server answering by path: /ok 200, /fail 500, /redirect 302, /slow after 5 s; it checks a header.
private let serverScript = """
    import http.server, os, time
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/slow":
                time.sleep(5)
            codes = {"/ok": 200, "/fail": 500, "/redirect": 302,
                     "/header": 200 if self.headers.get("X-Probe") == "yes" else 403}
            self.send_response(codes.get(self.path, 404))
            if self.path == "/redirect":
                self.send_header("Location", "http://example.invalid/")
            self.end_headers()
            self.wfile.write(b"body")
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
    print("serving", flush=True)
    server.serve_forever()
    """

@Suite("ProbeChecker")
struct ProbeCheckerTests {
    /// Exec checks as the test's own user, so they may write to the test's temporary directories.
    let checker = ProbeChecker(podUser: nil)

    /// Starts the test server in a runtime and waits until it answers.
    private func startServer(_ directory: TemporaryDirectory, _ runtime: ProcessRuntime) async throws -> [PortBinding] {
        let allocator = PortAllocator()
        let id = ContainerID(namespace: "test", pod: "server", container: "http")
        let ports = try await allocator.allocate(
            namespace: "test", pod: "server",
            ports: [ContainerPortRequest(container: "http", name: "web", containerPort: 8080)])
        let script = directory.path + "/server.py"
        try serverScript.write(toFile: script, atomically: true, encoding: .utf8)
        _ = try await runtime.start(
            ContainerSpec(
                id: id, command: ["python3", script],
                environment: RuntimeEnvironment.variables(for: id, ports: ports)))
        let ready = Probe(.tcpSocket(TCPSocketAction(port: .name("web"))))
        let up = await eventually { await checker.check(ready, ports: ports) == .success }
        try #require(up)
        return ports
    }

    @Test func httpGetJudgesStatusCodes() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let ports = try await startServer(directory, runtime)

        func http(_ path: String, _ port: ProbePort = .name("web"), headers: [HTTPHeader] = []) async -> ProbeOutcome {
            await checker.check(
                Probe(
                    .httpGet(HTTPGetAction(path: path, port: port, headers: headers)),
                    configuration: .init(timeout: .seconds(5))),
                ports: ports)
        }
        #expect(await http("/ok") == .success)
        #expect(await http("/ok", .number(8080)) == .success)  // container port number maps to the host port
        #expect(await http("/redirect") == .success)  // 3xx counts as success
        #expect(await http("/fail") == .failure("HTTP probe failed with statuscode: 500"))
        #expect(await http("/missing") == .failure("HTTP probe failed with statuscode: 404"))
        #expect(await http("/header", headers: [HTTPHeader(name: "X-Probe", value: "yes")]) == .success)
        #expect(await http("/header") == .failure("HTTP probe failed with statuscode: 403"))
        #expect(await http("/ok", .name("nope")) == .unknown("no container port named name(\"nope\")"))

        let slow = await checker.check(
            Probe(
                .httpGet(HTTPGetAction(path: "/slow", port: .name("web"))),
                configuration: .init(timeout: .milliseconds(200))),
            ports: ports)
        #expect(slow == .failure("HTTP probe timed out waiting for a response"))
        _ = try await runtime.stop(ContainerID(namespace: "test", pod: "server", container: "http"), gracePeriod: .zero)
    }

    @Test func httpGetAgainstPythonHTTPServer() async throws {
        let directory = try TemporaryDirectory()
        let runtime = makeRuntime(directory)
        let allocator = PortAllocator()
        let id = ContainerID(namespace: "test", pod: "static", container: "web")
        let ports = try await allocator.allocate(
            namespace: "test", pod: "static", ports: [ContainerPortRequest(container: "web", containerPort: 80)])
        _ = try await runtime.start(
            ContainerSpec(
                id: id, command: ["sh", "-c", "exec python3 -m http.server \"$PORT\" --bind 127.0.0.1"],
                environment: RuntimeEnvironment.variables(for: id, ports: ports), workingDirectory: directory.path))
        let probe = Probe(
            .httpGet(HTTPGetAction(path: "/", port: .number(80))), configuration: .init(timeout: .seconds(5)))
        #expect(await eventually { await checker.check(probe, ports: ports) == .success })
        _ = try await runtime.stop(id, gracePeriod: .seconds(10))
    }

    @Test func tcpSocketOpenAndClosed() async throws {
        // Open: a listening socket.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = IPv4SocketAddress.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try #require(bind(listener, $0, length) == 0)
                try #require(getsockname(listener, $0, &length) == 0)
            }
        }
        try #require(listen(listener, 4) == 0)
        let open = Int(UInt16(bigEndian: address.sin_port))
        #expect(await checker.check(Probe(.tcpSocket(TCPSocketAction(port: .number(open))))) == .success)

        // Closed: a port allocated and never bound.
        let closed = try await PortAllocator().allocate(
            namespace: "t", pod: "p", ports: [ContainerPortRequest(container: "c", containerPort: 1)])[0].hostPort
        let outcome = await checker.check(Probe(.tcpSocket(TCPSocketAction(port: .number(closed)))))
        #expect(outcome == .failure("dial tcp 127.0.0.1:\(closed): Connection refused"))
    }

    /// An exec probe is a command from the manifest like the container's own, so a root-run daemon runs it as
    /// the pod user too, never as root, and not in the daemon's working directory.
    @Test func anExecProbeOfARootDaemonRunsAsThePodUser() async throws {
        try #require(geteuid() == 0, "the daemon switches users only when it runs as root")
        let daemonDirectory = FileManager.default.currentDirectoryPath
        let script = "test \"$(id -u)\" != 0 && test \"$(pwd)\" != \(daemonDirectory)"
        let outcome = await ProbeChecker().check(Probe(.exec(ExecAction(command: ["sh", "-c", script]))))
        #expect(outcome == .success)
    }

    @Test func execSuccessFailureAndTimeout() async throws {
        let directory = try TemporaryDirectory()
        func exec(_ script: String, timeout: Duration = .seconds(5)) async -> ProbeOutcome {
            await checker.check(
                Probe(.exec(ExecAction(command: ["sh", "-c", script])), configuration: .init(timeout: timeout)),
                environment: [EnvironmentVariable(name: "EXPECTED", value: "yes")],
                workingDirectory: directory.path)
        }
        #expect(await exec("test \"$EXPECTED\" = yes && test \"$(pwd)\" = \(directory.path)") == .success)
        #expect(await exec("exit 1") == .failure("command exited with code 1"))
        let pidFile = directory.path + "/probe.pid"
        #expect(
            await exec("echo $$ > \(pidFile); exec sleep 30", timeout: .milliseconds(300))
                == .failure("command timed out after 0.3 seconds"))
        let pid = try #require(
            Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { ProcStat.read(pid) == nil })  // killed and reaped
        let missing = await checker.check(Probe(.exec(ExecAction(command: ["no-such-probe-command"]))))
        guard case .failure = missing else {
            Issue.record("a missing command should fail, got \(missing)")
            return
        }
    }
}
