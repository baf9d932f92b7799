import Foundation
import Testing

@testable import GitSource

@Suite("GitSource internals: known_hosts, SHA-1, messages")
struct InternalsTests {
    static let key: [UInt8] = Array("ssh-ed25519-key-blob".utf8)
    static let otherKey: [UInt8] = Array("another-key-blob".utf8)
    static var keyBase64: String { Data(key).base64EncodedString() }

    @Test("trusts a listed host with the same key, on the default and a custom port")
    func trusts() {
        let file = "example.com ssh-ed25519 \(Self.keyBase64)\n[127.0.0.1]:2222 ssh-ed25519 \(Self.keyBase64) c\n"
        #expect(KnownHosts.verify(host: "example.com", port: nil, key: Self.key, knownHosts: file) == .trusted)
        #expect(KnownHosts.verify(host: "example.com", port: 22, key: Self.key, knownHosts: file) == .trusted)
        #expect(KnownHosts.verify(host: "127.0.0.1", port: 2222, key: Self.key, knownHosts: file) == .trusted)
        #expect(KnownHosts.verify(host: "127.0.0.1", port: 2223, key: Self.key, knownHosts: file) == .unknown)
    }

    @Test("reports unknown hosts and changed keys")
    func rejects() {
        let file = "# comment\nexample.com,*.example.org ssh-ed25519 \(Self.keyBase64)\n"
        #expect(KnownHosts.verify(host: "example.net", port: nil, key: Self.key, knownHosts: file) == .unknown)
        #expect(KnownHosts.verify(host: "git.example.org", port: nil, key: Self.key, knownHosts: file) == .trusted)
        #expect(KnownHosts.verify(host: "example.com", port: nil, key: Self.otherKey, knownHosts: file) == .mismatch)
        let revoked = "@revoked * ssh-ed25519 \(Self.keyBase64)\nexample.com ssh-ed25519 \(Self.keyBase64)\n"
        #expect(KnownHosts.verify(host: "example.com", port: nil, key: Self.key, knownHosts: revoked) == .mismatch)
    }

    @Test("matches hashed host names written by ssh-keygen -H")
    func hashed() {
        let salt: [UInt8] = Array(repeating: 7, count: 20)
        let hash = SHA1.hmac(key: salt, message: Array("example.com".utf8))
        let entry = "|1|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString())"
        let file = "\(entry) ssh-ed25519 \(Self.keyBase64)\n"
        #expect(KnownHosts.verify(host: "example.com", port: nil, key: Self.key, knownHosts: file) == .trusted)
        #expect(KnownHosts.verify(host: "example.org", port: nil, key: Self.key, knownHosts: file) == .unknown)
    }

    @Test("computes SHA-1 and HMAC-SHA-1 test vectors")
    func sha1() {
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(
            hex(SHA1.hmac(key: Array("key".utf8), message: Array("The quick brown fox jumps over the lazy dog".utf8)))
                == "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9")
    }

    @Test(
        "splits commit messages like git's %s and %b",
        arguments: [
            ("One line", "One line", ""), ("Subject\n\nBody\n", "Subject", "Body"),
            ("Two\nline subject\n\nBody 1\n\nBody 2\n\n", "Two line subject", "Body 1\n\nBody 2"),
            ("\n\nLate subject", "Late subject", ""),
        ])
    func splits(message: String, subject: String, body: String) {
        let split = Commit.split(message: message)
        #expect(split.subject == subject)
        #expect(split.body == body)
    }
}
