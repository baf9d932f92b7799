public import Foundation
import Glibc

/// Tiny HTTP/1.1 client and port helper for end-to-end tests against servers on 127.0.0.0/8.
public enum LoopbackHTTP {
    /// A response: status code and body text.
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    /// A free TCP port on `host` (the kernel picks one; the socket is closed before returning).
    public static func freePort(host: String = "127.0.0.1") -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, host, &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Sends one request (`Connection: close`) and reads the whole response; `nil` when the connection
    /// fails or times out.
    public static func request(
        _ method: String = "GET", host: String = "127.0.0.1", port: Int, path: String,
        headers: [String: String] = [:], body: [UInt8] = [], timeoutSeconds: Int = 5
    ) -> Response? {
        guard let connection = LoopbackConnection(host: host, port: port, timeoutSeconds: timeoutSeconds) else {
            return nil
        }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        guard connection.send(Array(head.utf8) + body), let response = connection.readToEnd() else { return nil }
        let text = String(decoding: response, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n", maxSplits: 1).first,
            let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
            let split = text.range(of: "\r\n\r\n")
        else { return nil }
        var bodyText = String(text[split.upperBound...])
        if text[..<split.lowerBound].lowercased().contains("transfer-encoding: chunked") {
            bodyText = dechunk(bodyText)
        }
        return Response(status: status, body: bodyText)
    }

    private static func dechunk(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let end = rest.utf8.index(start, offsetBy: size, limitedBy: rest.endIndex) ?? rest.endIndex
            result += rest[start..<end]
            rest = rest[end...].dropFirst(2)
        }
        return result
    }
}

extension LoopbackHTTP {
    /// `request`, waiting on a thread of its own (see `ProcessRunner.runDetached`).
    public static func fetch(
        _ method: String = "GET", host: String = "127.0.0.1", port: Int, path: String,
        headers: [String: String] = [:], body: [UInt8] = [], timeoutSeconds: Int = 5
    ) async -> Response? {
        (try? await offPool {
            request(method, host: host, port: port, path: path, headers: headers, body: body, timeoutSeconds: timeoutSeconds)
        }) ?? nil
    }
}
