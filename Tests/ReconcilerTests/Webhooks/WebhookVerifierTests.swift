import Testing

@testable import Reconciler

@Suite struct WebhookVerifierTests {
    let secret = Array("It's a Secret to Everybody".utf8)
    let body = Array("Hello, World!".utf8)

    /// The example from GitHub's documentation of webhook signatures.
    @Test func acceptsGitHubsDocumentedExample() throws {
        let verifier = WebhookVerifier(secret: secret)
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(WebhookVerifier.gitHubSignature(secret: secret, body: body) == header)
        try verifier.verifyGitHub(signatureHeader: header, body: body)
    }

    @Test func rejectsForgedMissingAndOversizedGitHubRequests() {
        let verifier = WebhookVerifier(secret: secret, bodyLimit: 64)
        let forged = WebhookVerifier.gitHubSignature(secret: Array("guess".utf8), body: body)
        #expect(throws: WebhookVerifier.Rejection.badSignature) { try verifier.verifyGitHub(signatureHeader: forged, body: body) }
        #expect(throws: WebhookVerifier.Rejection.missingSignature) { try verifier.verifyGitHub(signatureHeader: nil, body: body) }
        #expect(throws: WebhookVerifier.Rejection.missingSignature) { try verifier.verifyGitHub(signatureHeader: "sha1=abc", body: body) }
        #expect(throws: WebhookVerifier.Rejection.bodyTooLarge(limit: 64)) {
            try verifier.verifyGitHub(signatureHeader: forged, body: Array(repeating: 0, count: 65))
        }
        #expect(throws: WebhookVerifier.Rejection.notConfigured) {
            try WebhookVerifier(secret: nil).verifyGitHub(signatureHeader: forged, body: body)
        }
    }

    @Test func checksGitLabTokens() throws {
        let verifier = WebhookVerifier(secret: secret)
        try verifier.verifyGitLab(tokenHeader: "It's a Secret to Everybody", body: body)
        #expect(throws: WebhookVerifier.Rejection.badSignature) { try verifier.verifyGitLab(tokenHeader: "It's a secret", body: body) }
        #expect(throws: WebhookVerifier.Rejection.missingSignature) { try verifier.verifyGitLab(tokenHeader: nil, body: body) }
    }
}
