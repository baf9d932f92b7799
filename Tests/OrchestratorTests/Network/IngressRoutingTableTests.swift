import Testing

@testable import Orchestrator

@Suite struct IngressRoutingTableTests {
    static func backend(_ name: String) -> IngressBackend {
        IngressBackend(namespace: "default", service: name, port: .number(80))
    }

    static func path(_ path: String, _ type: IngressRoutingTable.PathType, _ name: String) -> IngressRoutingTable.Path {
        .init(path: path, pathType: type, backend: backend(name))
    }

    /// The table from the Kubernetes Ingress docs ("Examples"), one rule set per case.
    static let docsCases: [(paths: [IngressRoutingTable.Path], request: String, expected: String?)] = [
        ([path("/", .prefix, "a")], "/", "a"),
        ([path("/", .prefix, "a")], "/anything/at/all", "a"),
        ([path("/foo", .exact, "a")], "/foo", "a"),
        ([path("/foo", .exact, "a")], "/bar", nil),
        ([path("/foo", .exact, "a")], "/foo/", nil),
        ([path("/foo/", .exact, "a")], "/foo", nil),
        ([path("/foo", .prefix, "a")], "/foo", "a"),
        ([path("/foo", .prefix, "a")], "/foo/", "a"),
        ([path("/foo", .prefix, "a")], "/foo/bar", "a"),
        ([path("/foo", .prefix, "a")], "/foobar", nil),
        ([path("/foo/", .prefix, "a")], "/foo", "a"),
        ([path("/foo/", .prefix, "a")], "/foo/", "a"),
        ([path("/aaa/bb", .prefix, "a")], "/aaa/bbb", nil),
        ([path("/aaa/bbb", .prefix, "a")], "/aaa/bbb", "a"),
        ([path("/aaa/bbb/", .prefix, "a")], "/aaa/bbb", "a"),
        ([path("/aaa/bbb", .prefix, "a")], "/aaa/bbb/", "a"),
        ([path("/aaa/bbb", .prefix, "a")], "/aaa/bbb/ccc", "a"),
        ([path("/aaa/bbb", .prefix, "a")], "/aaa/bbbxyz", nil),
        ([path("/", .prefix, "a"), path("/aaa", .prefix, "b")], "/aaa/ccc", "b"),
        ([path("/", .prefix, "a"), path("/aaa", .prefix, "b")], "/ccc", "a"),
        ([path("/aaa", .prefix, "a"), path("/aaa", .exact, "b")], "/aaa", "b"),
        ([path("/aaa", .exact, "b"), path("/aaa", .prefix, "a")], "/aaa/", "a"),
        ([path("/aaa", .prefix, "a")], "/ccc", nil),
        ([path("/foo", .implementationSpecific, "a")], "/foo/bar", "a"),
        ([path("/foo", .implementationSpecific, "a")], "/foobar", nil),
        ([path("/foo", .prefix, "a")], "/foo?x=/y", "a"),
        ([path("/foo", .exact, "a")], "/foo?bar", "a"),
        ([path("/foo", .exact, "a")], "/foo#frag", "a"),
        ([path("/Foo", .exact, "a")], "/foo", nil),
    ]

    @Test(arguments: docsCases.indices)
    func pathMatching(_ index: Int) {
        let testCase = Self.docsCases[index]
        let table = IngressRoutingTable(rules: [.init(paths: testCase.paths)])
        let route = table.route(host: "example.com", path: testCase.request)
        #expect(route?.backend.service == testCase.expected, "case \(index): \(testCase.request)")
    }

    @Test func longestPrefixWins() {
        let table = IngressRoutingTable(rules: [
            .init(paths: [Self.path("/api", .prefix, "api"), Self.path("/api/v2", .prefix, "v2"), Self.path("/", .prefix, "root")])
        ])
        #expect(table.route(host: nil, path: "/api/v2/users")?.backend.service == "v2")
        #expect(table.route(host: nil, path: "/api/v2")?.backend.service == "v2")
        #expect(table.route(host: nil, path: "/api/v20")?.backend.service == "api")
        #expect(table.route(host: nil, path: "/api")?.backend.service == "api")
        #expect(table.route(host: nil, path: "/apis")?.backend.service == "root")
    }

    static let hostCases: [(host: String?, expected: String?)] = [
        ("foo.example.com", "exact"),
        ("FOO.Example.COM", "exact"),
        ("foo.example.com:8080", "exact"),
        ("foo.example.com.", "exact"),
        ("bar.example.com", "wildcard"),
        ("baz.bar.example.com", "any"),
        ("example.com", "any"),
        ("other.org", "any"),
        (nil, "any"),
        ("", "any"),
    ]

    @Test(arguments: hostCases)
    func hostMatching(host: String?, expected: String?) {
        let table = IngressRoutingTable(rules: [
            .init(host: "*.example.com", paths: [Self.path("/", .prefix, "wildcard")]),
            .init(host: "foo.example.com", paths: [Self.path("/", .prefix, "exact")]),
            .init(paths: [Self.path("/", .prefix, "any")]),
        ])
        #expect(table.route(host: host, path: "/x")?.backend.service == expected)
    }

    @Test func wildcardMatchesExactlyOneLabel() {
        let table = IngressRoutingTable(rules: [.init(host: "*.foo.com", paths: [Self.path("/", .prefix, "w")])])
        #expect(table.route(host: "bar.foo.com", path: "/")?.backend.service == "w")
        #expect(table.route(host: "baz.bar.foo.com", path: "/") == nil)
        #expect(table.route(host: "foo.com", path: "/") == nil)
        #expect(table.route(host: ".foo.com", path: "/") == nil)
    }

    @Test func mostSpecificHostGroupOnlyThenDefaultBackend() {
        let fallback = IngressRoute(backend: Self.backend("default"))
        let table = IngressRoutingTable(
            rules: [
                .init(host: "api.example.com", paths: [Self.path("/v1", .prefix, "api")]),
                .init(paths: [Self.path("/", .prefix, "any")]),
            ], defaultRoute: fallback)
        #expect(table.route(host: "api.example.com", path: "/v1/x")?.backend.service == "api")
        // The host has rules, none matches: the default backend, not the host-less rules.
        #expect(table.route(host: "api.example.com", path: "/other")?.backend.service == "default")
        #expect(table.route(host: "www.example.com", path: "/other")?.backend.service == "any")
    }

    @Test func defaultBackendWhenNoRules() {
        let table = IngressRoutingTable(rules: [], defaultRoute: IngressRoute(backend: Self.backend("default")))
        #expect(table.route(host: "anything", path: "/x")?.backend.service == "default")
        #expect(IngressRoutingTable().route(host: "anything", path: "/x") == nil)
    }

    @Test func rulesForTheSameHostAreMerged() {
        let table = IngressRoutingTable(rules: [
            .init(host: "a.test", paths: [Self.path("/one", .prefix, "one")]),
            .init(host: "A.test", paths: [Self.path("/two", .prefix, "two")]),
        ])
        #expect(table.route(host: "a.test", path: "/one")?.backend.service == "one")
        #expect(table.route(host: "a.test", path: "/two")?.backend.service == "two")
    }

    @Test func rewriteTargetTravelsWithTheRoute() {
        let table = IngressRoutingTable(rules: [
            .init(paths: [
                .init(path: "/app", pathType: .prefix, backend: Self.backend("a"), rewriteTarget: "/")
            ])
        ])
        #expect(table.route(host: nil, path: "/app/x")?.rewriteTarget == "/")
    }

    @Test(arguments: [
        ("example.com", "example.com"), ("Example.com:80", "example.com"), ("[::1]:8080", "::1"), ("  a.b  ", "a.b"),
    ])
    func hostNormalisation(header: String, expected: String) {
        #expect(IngressRoutingTable.normalizedHost(header) == expected)
    }
}
