import Glibc

/// Blocking-with-deadline TCP helpers for probes: non-blocking sockets driven by `poll`.
enum TCPConnection {
    /// The outcome of a connect.
    enum ConnectResult {
        case success(Int32)
        case failure(String)
    }

    /// Connects to `host:port` (an IPv4 address, or `localhost`) before `deadline`; the caller closes the
    /// returned descriptor.
    static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) -> ConnectResult {
        let target = host == "localhost" ? "127.0.0.1" : host
        guard var address = IPv4SocketAddress.ipv4(target, port: port) else {
            return .failure("\(host) is not an IPv4 address")
        }
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { return .failure(SystemCallError.current("socket").description) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return .success(fd) }
        let connectError = errno
        guard connectError == EINPROGRESS else {
            close(fd)
            return .failure("dial tcp \(host):\(port): \(String(cString: strerror(connectError)))")
        }
        guard wait(fd, for: Int16(POLLOUT), until: deadline) else {
            close(fd)
            return .failure("dial tcp \(host):\(port): timeout")
        }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
        guard socketError == 0 else {
            close(fd)
            return .failure("dial tcp \(host):\(port): \(String(cString: strerror(socketError)))")
        }
        return .success(fd)
    }

    /// Waits until `fd` is ready for `events` or the deadline passes; false on timeout.
    static func wait(_ fd: Int32, for events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return false }
            let milliseconds =
                remaining.components.seconds * 1000
                + remaining.components.attoseconds / 1_000_000_000_000_000 + 1
            var pollFD = pollfd(fd: fd, events: events, revents: 0)
            let result = poll(&pollFD, 1, Int32(clamping: milliseconds))
            if result > 0 { return true }
            if result < 0 && errno != EINTR { return false }
        }
    }
}

/// A plain HTTP/1.1 GET that reads only the status line (and at most 10 KiB, like the kubelet).
enum HTTPProbe {
    static func get(host: String, port: Int, path: String, headers: [HTTPHeader], timeout: Duration) -> ProbeOutcome {
        let deadline = ContinuousClock.now + timeout
        let fd: Int32
        switch TCPConnection.connect(host: host, port: port, deadline: deadline) {
        case .success(let connected): fd = connected
        case .failure(let message): return .failure("Get \"http://\(host):\(port)\(path)\": \(message)")
        }
        defer { close(fd) }
        var request = "GET \(path.isEmpty ? "/" : path) HTTP/1.1\r\n"
        let names = Set(headers.map { $0.name.lowercased() })
        if !names.contains("host") { request += "Host: \(host):\(port)\r\n" }
        if !names.contains("user-agent") { request += "User-Agent: kube-probe/1.34\r\n" }
        if !names.contains("accept") { request += "Accept: */*\r\n" }
        request += "Connection: close\r\n"
        for header in headers { request += "\(header.name): \(header.value)\r\n" }
        request += "\r\n"

        var bytes = Array(request.utf8)
        while !bytes.isEmpty {
            guard TCPConnection.wait(fd, for: Int16(POLLOUT), until: deadline) else {
                return .failure("HTTP probe timed out sending the request")
            }
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure("HTTP probe failed to send: \(String(cString: strerror(errno)))")
            }
            bytes.removeFirst(sent)
        }

        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while response.count < 10 * 1024, !containsLineEnd(response) {
            guard TCPConnection.wait(fd, for: Int16(POLLIN), until: deadline) else {
                return .failure("HTTP probe timed out waiting for a response")
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure("HTTP probe failed to read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        guard let status = statusCode(response) else {
            return .failure("HTTP probe got a malformed response")
        }
        if (200..<400).contains(status) { return .success }
        return .failure("HTTP probe failed with statuscode: \(status)")
    }

    private static func containsLineEnd(_ bytes: [UInt8]) -> Bool {
        bytes.contains(UInt8(ascii: "\n"))
    }

    /// The status code from `HTTP/1.x NNN reason`.
    static func statusCode(_ bytes: [UInt8]) -> Int? {
        let line = String(
            decoding: bytes.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else { return nil }
        return code
    }
}
