import Glibc

/// IPv4 socket addresses.
enum IPv4SocketAddress {
    /// `127.0.0.1:port`.
    static func loopback(port: Int) -> sockaddr_in {
        ipv4("127.0.0.1", port: port) ?? sockaddr_in()
    }

    /// A dotted-quad IPv4 address and port, or nil if `host` is not one.
    static func ipv4(_ host: String, port: Int) -> sockaddr_in? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        return address
    }
}
