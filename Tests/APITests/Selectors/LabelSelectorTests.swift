import Testing

@testable import API

@Suite struct LabelSelectorTests {
    static let labels = ["app": "web", "tier": "frontend", "env": "prod"]

    @Test(arguments: [
        ("", true),
        ("app=web", true),
        ("app==web", true),
        ("app=api", false),
        ("app!=api", true),
        ("missing!=x", true),
        ("app in (web,api)", true),
        ("app in (api, db)", false),
        ("app notin (api,db)", true),
        ("missing notin (x)", true),
        ("tier", true),
        ("missing", false),
        ("!missing", true),
        ("!tier", false),
        ("app=web,tier=frontend,env in (prod)", true),
        ("app=web, tier=backend", false),
        ("app=web,!legacy,env notin (dev)", true),
    ])
    func matchesStringForm(selector: String, expected: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(Self.labels) == expected)
    }

    @Test(arguments: ["app=", "in (a)", "app in a", "app in ()", "app ~ b", "app=web,", "app in (a,b"])
    func rejectsMalformedStrings(selector: String) {
        if selector == "app=" {
            // An empty value is legal: it selects objects whose label is the empty string.
            #expect((try? LabelSelector(parsing: selector))?.matches(["app": ""]) == true)
            return
        }
        #expect {
            try LabelSelector(parsing: selector)
        } throws: { error in
            (error as? APIError)?.code == .invalidSelector
        }
    }

    @Test func structuredFormCombinesLabelsAndExpressions() {
        let selector = LabelSelector(
            matchLabels: ["app": "web"],
            matchExpressions: [
                .init(key: "env", operator: .in, values: ["prod", "staging"]),
                .init(key: "canary", operator: .doesNotExist),
            ])
        #expect(selector.matches(Self.labels))
        #expect(!selector.matches(["app": "web", "env": "dev"]))
        #expect(!selector.matches(["app": "web", "env": "prod", "canary": "true"]))
        #expect(selector.description == "app=web,env in (prod,staging),!canary")
    }

    @Test func stringFormRoundTrips() throws {
        let text = "app=web,env notin (a,b),tier,!old"
        let selector = try LabelSelector(parsing: text)
        #expect(try LabelSelector(parsing: selector.description) == selector)
        #expect(LabelSelector.everything.matches([:]))
    }
}
