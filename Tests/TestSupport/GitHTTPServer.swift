import Foundation

/// Serves the repositories under a directory over smart HTTP on 127.0.0.1, through `git http-backend`
/// behind a small python3 (standard library only) CGI bridge.
///
/// `http://127.0.0.1:PORT/NAME.git` is anonymous and read-only; `http://127.0.0.1:PORT/private/NAME.git`
/// requires HTTP basic authentication with `username` and `password` and also accepts pushes. The server
/// process is stopped on `stop()` or `deinit`.
public final class GitHTTPServer: @unchecked Sendable {
    /// The git-http-backend CGI program Debian's git package installs.
    public static let backend = "/usr/lib/git-core/git-http-backend"

    /// The port the server listens on.
    public let port: Int
    /// The user name the private path accepts.
    public let username: String
    /// The password the private path accepts.
    public let password: String
    private let process: SpawnedProcess
    private let scratch: String

    /// The anonymous URL of a repository directory name under the served root.
    public func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    /// The authenticated URL of a repository directory name under the served root.
    public func privateURL(_ name: String) -> String { "http://127.0.0.1:\(port)/private/\(name)" }

    /// Starts serving `root` and waits until the server listens.
    ///
    /// - Throws: `CommandFailure` when python3 or git-http-backend is missing or the server does not start.
    public init(root: String, username: String = "gitopsd", password: String = "s3cret-token") throws {
        guard FileManager.default.isExecutableFile(atPath: GitHTTPServer.backend) else {
            throw CommandFailure(command: GitHTTPServer.backend, status: 127, standardError: "not installed")
        }
        self.username = username
        self.password = password
        scratch = try TemporaryGitRepository.makeTemporaryDirectory(prefix: "gitopsd-http")
        let script = scratch + "/server.py"
        try GitHTTPServer.script.write(toFile: script, atomically: true, encoding: .utf8)
        let process = try SpawnedProcess(
            "/usr/bin/env", ["python3", script, root, username, password, GitHTTPServer.backend], captureOutput: true)
        self.process = process
        // The server prints its port once it is bound, so there is no race with the first request.
        guard let line = process.readLine(), let port = Int(line) else {
            process.stop()
            throw CommandFailure(command: "python3 server.py", status: 1, standardError: "the HTTP server did not start")
        }
        self.port = port
    }

    /// Stops the server.
    public func stop() {
        process.stop()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    static let script = #"""
        import base64, http.server, os, subprocess, sys

        root, user, password, backend = sys.argv[1:5]
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def handle_any(self):
                path, _, query = self.path.partition("?")
                remote_user = None
                if path.startswith("/private/"):
                    if self.headers.get("Authorization", "") != expected:
                        self.send_response(401)
                        self.send_header("WWW-Authenticate", 'Basic realm="git"')
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    remote_user = user
                    path = path[len("/private"):]
                body = self.body()
                env = dict(os.environ)
                env.update(GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path, QUERY_STRING=query,
                           REQUEST_METHOD=self.command, CONTENT_TYPE=self.headers.get("Content-Type", ""),
                           CONTENT_LENGTH=str(len(body)), REMOTE_ADDR="127.0.0.1")
                if remote_user:
                    env["REMOTE_USER"] = remote_user
                if self.headers.get("Content-Encoding"):
                    env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
                if self.headers.get("Git-Protocol"):
                    env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
                out = subprocess.run([backend], input=body, env=env, capture_output=True).stdout
                sep = b"\r\n\r\n" if b"\r\n\r\n" in out else b"\n\n"
                head, _, rest = out.partition(sep)
                status, headers = 200, []
                for line in head.replace(b"\r\n", b"\n").split(b"\n"):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "status":
                        status = int(value.strip().split()[0])
                    elif name:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(rest)))
                self.end_headers()
                self.wfile.write(rest)

            do_GET = handle_any
            do_POST = handle_any

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
