import Testing

@testable import Orchestrator

@Suite("VariableExpansion")
struct VariableExpansionTests {
    @Test(arguments: [
        ("$(A)", "a"),
        ("x-$(A)-$(B)-y", "x-a-bee-y"),
        ("$(MISSING)", "$(MISSING)"),
        ("$$(A)", "$(A)"),
        ("$$$(A)", "$a"),
        ("$$", "$"),
        ("$", "$"),
        ("a$", "a$"),
        ("$(A", "$(A"),
        ("$x$(A)", "$xa"),
        ("$()", "$()"),
        ("no refs", "no refs"),
        ("é$(A)é", "éaé"),
    ])
    func expandsLikeTheKubelet(input: String, expected: String) {
        #expect(VariableExpansion.expand(input, variables: ["A": "a", "B": "bee"]) == expected)
    }
}
