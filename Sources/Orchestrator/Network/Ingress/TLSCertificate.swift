import NIOSSL

/// A parsed certificate chain and private key for the Ingress HTTPS listener, with the hosts it serves.
///
/// Built from a `kubernetes.io/tls` Secret's `tls.crt` (PEM chain, leaf first) and `tls.key` (PEM key) and the
/// Ingress `spec.tls[].hosts` that name it. Parsing happens here, once, so a bad Secret is reported on its own
/// Ingress and never reaches the listener.
public struct TLSCertificate: Sendable {
    /// Hosts this certificate is chosen for by SNI: exact names or `*.example.com` wildcards (lower-cased).
    public let hosts: [String]
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey

    /// Parses a PEM certificate chain and private key.
    ///
    /// - Throws: ``NetworkError/Code/invalidCertificate`` when the chain is empty or either PEM fails to parse.
    public init(hosts: [String], certificateChainPEM: String, privateKeyPEM: String) throws(NetworkError) {
        do {
            self.chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8))
            self.key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        } catch {
            throw NetworkError(
                .invalidCertificate, "cannot load TLS certificate for \(hosts.joined(separator: ", "))",
                underlying: error)
        }
        guard !chain.isEmpty else {
            throw NetworkError(.invalidCertificate, "tls.crt holds no certificate")
        }
        self.hosts = hosts.map { $0.lowercased() }
    }
}

/// The certificates of the HTTPS listener: chosen per connection by the SNI server name, with a default for
/// names no certificate lists (and for clients that send no SNI).
///
/// Lookup: an exact host first, then a wildcard `*.example.com` matching exactly one extra label, then the
/// default. With no match and no default the handshake fails. Replaced whole at run time through
/// ``IngressServer/updateCertificates(_:)``; connections already established keep their certificate.
public struct IngressCertificateTable: Sendable {
    private let exact: [String: TLSCertificate]
    private let wildcard: [String: TLSCertificate]
    /// The certificate for unknown or missing server names.
    public let defaultCertificate: TLSCertificate?

    /// An empty table: every TLS handshake fails.
    public init() {
        self.init(certificates: [], defaultCertificate: nil)
    }

    /// Indexes `certificates` by their hosts; when two list the same host, the first wins.
    public init(certificates: [TLSCertificate], defaultCertificate: TLSCertificate? = nil) {
        var exact: [String: TLSCertificate] = [:]
        var wildcard: [String: TLSCertificate] = [:]
        for certificate in certificates {
            for host in certificate.hosts {
                if host.hasPrefix("*.") {
                    if wildcard[String(host.dropFirst())] == nil { wildcard[String(host.dropFirst())] = certificate }
                } else if exact[host] == nil {
                    exact[host] = certificate
                }
            }
        }
        self.exact = exact
        self.wildcard = wildcard
        self.defaultCertificate = defaultCertificate
    }

    /// Whether the table holds no certificate at all.
    public var isEmpty: Bool { exact.isEmpty && wildcard.isEmpty && defaultCertificate == nil }

    /// The certificate for an SNI server name.
    public func certificate(forServerName serverName: String?) -> TLSCertificate? {
        guard var name = serverName?.lowercased(), !name.isEmpty else { return defaultCertificate }
        if name.hasSuffix(".") { name.removeLast() }
        if let certificate = exact[name] { return certificate }
        if let dot = name.firstIndex(of: "."), dot != name.startIndex, let certificate = wildcard[String(name[dot...])] {
            return certificate
        }
        return defaultCertificate
    }

    /// Some certificate of the table, used to build the listener's base TLS context (each handshake then picks
    /// its own by SNI).
    var anyCertificate: TLSCertificate? {
        defaultCertificate ?? exact.values.first ?? wildcard.values.first
    }
}
