import Testing
@testable import Kustomize

@Test func placeholder() { #expect(Bool(true)) }
