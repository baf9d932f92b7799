/// A TCP address as a host (an IP address literal or a name) and a port, e.g. `127.0.0.1:8080`.
///
/// Used for listen addresses and for upstream endpoints (a ready pod's host port).
public struct HostPort: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// An IPv4/IPv6 literal or a host name.
    public var host: String
    /// 0–65535; 0 asks the OS for a free port when listening.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[ipv6]:port`; `nil` when the port is missing or not in 0–65535.
    public init?(_ text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65535).contains(port) else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    /// `host:port`, with IPv6 literals in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static func < (lhs: HostPort, rhs: HostPort) -> Bool {
        (lhs.host, lhs.port) < (rhs.host, rhs.port)
    }
}
