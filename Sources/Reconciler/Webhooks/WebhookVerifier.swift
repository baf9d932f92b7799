import Crypto
public import Foundation

/// Checks that a webhook request comes from the git host that knows our shared secret, before its body is
/// parsed: a forged request must not even reach the JSON parser.
public struct WebhookVerifier: Sendable {
    /// Why a webhook was refused.
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        case missingSignature
        case badSignature
        case bodyTooLarge(limit: Int)
        case notConfigured

        public var description: String {
            switch self {
            case .missingSignature: "missing signature header"
            case .badSignature: "signature does not match"
            case .bodyTooLarge(let limit): "body larger than \(limit) bytes"
            case .notConfigured: "no webhook secret configured (--webhook-secret-file)"
            }
        }
    }

    /// The largest body accepted; GitHub caps payloads at 25 MB, pushes are far smaller.
    public static let defaultBodyLimit = 1 << 20

    private let secret: [UInt8]?
    public let bodyLimit: Int

    /// - Parameter secret: The shared secret; `nil` refuses every webhook (there is nothing to check with).
    public init(secret: [UInt8]?, bodyLimit: Int = Self.defaultBodyLimit) {
        self.secret = secret.flatMap { $0.isEmpty ? nil : $0 }
        self.bodyLimit = bodyLimit
    }

    /// Reads the secret from a file, ignoring one trailing newline (as written by `echo`).
    public init(secretFile: String, bodyLimit: Int = Self.defaultBodyLimit) throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: secretFile)))
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        self.init(secret: bytes, bodyLimit: bodyLimit)
    }

    /// GitHub, before the body is read: a secret is configured, the signature header has the
    /// `sha256=<hex>` form and a declared `Content-Length` is within the limit. An unsigned or oversized request is
    /// refused here, so it costs no body read.
    ///
    /// - Returns: the signature's bytes, for ``verifyGitHub(signature:body:)``.
    public func checkGitHubHeaders(signatureHeader: String?, contentLength: Int?) throws(Rejection) -> [UInt8] {
        guard secret != nil else { throw .notConfigured }
        try checkLength(contentLength)
        guard let header = signatureHeader, header.hasPrefix("sha256="), let given = Self.hexBytes(header.dropFirst(7))
        else { throw .missingSignature }
        return given
    }

    /// GitHub, once the body is read: the HMAC-SHA256 of the body is `signature`, compared in constant time.
    public func verifyGitHub(signature: [UInt8], body: [UInt8]) throws(Rejection) {
        guard let secret else { throw .notConfigured }
        try checkLength(body.count)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: SymmetricKey(data: secret))
        else { throw .badSignature }
    }

    /// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`; both checks at once.
    public func verifyGitHub(signatureHeader: String?, body: [UInt8]) throws(Rejection) {
        let signature = try checkGitHubHeaders(signatureHeader: signatureHeader, contentLength: body.count)
        try verifyGitHub(signature: signature, body: body)
    }

    /// GitLab: `X-Gitlab-Token` carries the secret itself, compared in constant time, so the whole check happens
    /// before the body is read.
    public func verifyGitLab(tokenHeader: String?, contentLength: Int?) throws(Rejection) {
        guard let secret else { throw .notConfigured }
        try checkLength(contentLength)
        guard let token = tokenHeader else { throw .missingSignature }
        // Hash both sides so the comparison time depends on neither length nor content.
        let expected = SHA256.hash(data: secret)
        let given = SHA256.hash(data: Array(token.utf8))
        var difference: UInt8 = 0
        for (left, right) in zip(expected, given) { difference |= left ^ right }
        guard difference == 0 else { throw .badSignature }
    }

    /// GitLab, with a body already read (its size is checked too).
    public func verifyGitLab(tokenHeader: String?, body: [UInt8]) throws(Rejection) {
        try verifyGitLab(tokenHeader: tokenHeader, contentLength: body.count)
    }

    private func checkLength(_ length: Int?) throws(Rejection) {
        if let length, length > bodyLimit { throw .bodyTooLarge(limit: bodyLimit) }
    }

    /// The HMAC signature header GitHub would send for `body` (for tests and for `curl` examples).
    public static func gitHubSignature(secret: [UInt8], body: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
