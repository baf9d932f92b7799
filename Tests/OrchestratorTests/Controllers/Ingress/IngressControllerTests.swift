import API
import Foundation
import NIOHTTP1
import TestSupport
import Testing

@testable import Orchestrator

/// The Ingress controller against a real store, with real backends behind the real Ingress server.
@Suite struct IngressControllerTests {
    /// An Ingress routing `host` + `path` to a Service port.
    static func ingress(
        _ name: String, className: String? = nil, host: String?, paths: [(String, API.IngressBackend)],
        configure: (inout Ingress) -> Void = { _ in }
    ) -> Ingress {
        var ingress = Ingress(metadata: ObjectMeta(name: name, namespace: "default"))
        ingress.spec.ingressClassName = className
        ingress.spec.rules = [
            IngressRule(
                host: host,
                paths: paths.map { HTTPIngressPath(path: $0.0, pathType: "Prefix", backend: $0.1) })
        ]
        configure(&ingress)
        return ingress
    }

    /// Two Services, `web` (port 80 "http") and `api` (port 8080 "api"), each with one ready pod served by an
    /// `HTTPBackend`.
    static func backends(_ harness: NetworkHarness) async throws -> (web: HTTPBackend, api: HTTPBackend) {
        let web = try await HTTPBackend(name: "web")
        let api = try await HTTPBackend(name: "api")
        try await harness.create(
            testService("web", selector: "web", ports: [ServicePort(name: "http", port: 80, targetPort: "http")]))
        try await harness.create(
            testService("api", selector: "api", ports: [ServicePort(name: "api", port: 8080, targetPort: "api")]))
        try await harness.createPod(
            "web-1", labels: ["app": "web"], ports: [("http", 8000, web.address.port)], ready: true)
        try await harness.createPod(
            "api-1", labels: ["app": "api"], ports: [("api", 9000, api.address.port)], ready: true)
        return (web, api)
    }

    /// Sends `path` with `host` until `accept` holds for the response (the tables follow the store
    /// asynchronously); returns the last response.
    @discardableResult
    static func request(
        _ harness: NetworkHarness, host: String, _ path: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation,
        until accept: @escaping (TestResponse) -> Bool
    ) async -> TestResponse? {
        var last: TestResponse?
        let met = await eventually(timeout: .seconds(10)) {
            guard let client = try? await TestHTTPClient(harness.bound.http) else { return false }
            last = try? await client.request(path, host: host)
            await client.close()
            return last.map(accept) ?? false
        }
        if !met {
            Issue.record(
                "\(host)\(path): unexpected response \(String(describing: last?.status)) \(last?.text ?? "")",
                sourceLocation: sourceLocation)
        }
        return last
    }

    @Test func routesByHostAndPathToRealBackends() async throws {
        let harness = try await NetworkHarness()
        let (web, api) = try await Self.backends(harness)
        try await harness.create(
            Self.ingress(
                "site", host: "a.test",
                paths: [
                    ("/", API.IngressBackend(serviceName: "web", portName: "http")),
                    ("/api", API.IngressBackend(serviceName: "api", portNumber: 8080)),
                ]))
        try await harness.create(
            Self.ingress(
                "rewrite", className: "nginx", host: "b.test",
                paths: [("/old", API.IngressBackend(serviceName: "web", portNumber: 80))]
            ) { $0.metadata.annotations[IngressController.rewriteAnnotation] = "/new" })
        try await harness.create(
            Self.ingress("fallback", className: "gitopsd", host: "unused.test", paths: []) {
                $0.spec.rules = []
                $0.spec.defaultBackend = API.IngressBackend(serviceName: "api", portName: "api")
            })
        try await harness.create(
            Self.ingress(
                "foreign", className: "traefik", host: "c.test",
                paths: [("/", API.IngressBackend(serviceName: "web", portNumber: 80))]))

        await Self.request(harness, host: "a.test", "/index.html") { $0.field("backend") == "web" }
        await Self.request(harness, host: "a.test", "/api/users") { $0.field("backend") == "api" }
        let rewritten = await Self.request(harness, host: "b.test", "/old/page?q=1") { $0.field("backend") == "web" }
        #expect(rewritten?.field("path") == "/new?q=1")
        // The foreign class is ignored: its host falls to the default backend.
        await Self.request(harness, host: "c.test", "/") { $0.field("backend") == "api" }
        let ignored = await harness.waitForEvent(Ingress.self, "foreign", reason: "Ignored")
        #expect(ignored?.type == .normal)
        #expect(ignored?.message.contains("traefik") == true)

        let site = await harness.wait(Ingress.self, "site") { $0.statusLoadBalancer != nil }
        let expected: Value = ["ingress": [["ip": "127.0.0.1"]]]
        #expect(site?.statusLoadBalancer == expected)
        await harness.wait(Ingress.self, "rewrite") { $0.statusLoadBalancer != nil }
        try await Task.sleep(for: .milliseconds(200))
        #expect(await harness.get(Ingress.self, "foreign")?.statusLoadBalancer == nil)

        // A pod going away takes its backend with it: 503 until another is ready.
        try await harness.deletePod("api-1")
        await Self.request(harness, host: "a.test", "/api/users") { $0.status == .serviceUnavailable }
        try await harness.createPod(
            "api-2", labels: ["app": "api"], ports: [("api", 9000, api.address.port)], ready: true)
        await Self.request(harness, host: "a.test", "/api/users") { $0.field("backend") == "api" }
        await harness.stop()
        await web.stop()
        await api.stop()
    }

    @Test func answers503WithoutReadyEndpoints() async throws {
        let harness = try await NetworkHarness()
        let backend = try await HTTPBackend(name: "late")
        try await harness.create(
            testService("late", selector: "late", ports: [ServicePort(name: "http", port: 80, targetPort: "http")]))
        try await harness.createPod(
            "late-1", labels: ["app": "late"], ports: [("http", 8000, backend.address.port)], ready: false)
        try await harness.create(
            Self.ingress(
                "late", host: "late.test", paths: [("/", API.IngressBackend(serviceName: "late", portName: "http"))]))
        await Self.request(harness, host: "late.test", "/") { $0.status == .serviceUnavailable }
        try await harness.setReady("late-1", true)
        await Self.request(harness, host: "late.test", "/") { $0.field("backend") == "late" }
        await harness.stop()
        await backend.stop()
    }

    @Test func servesTLSFromSecretsAndReportsBadOnes() async throws {
        let directory = try TemporaryDirectory()
        let generated = try IngressTLSTests.generate(
            commonName: "secure.test", in: URL(fileURLWithPath: directory.path))
        let harness = try await NetworkHarness(tls: true)
        let (web, api) = try await Self.backends(harness)

        var secret = Secret(metadata: ObjectMeta(name: "secure-tls", namespace: "default"))
        secret.type = "kubernetes.io/tls"
        secret.data = ["tls.crt": Array(generated.certificatePEM.utf8), "tls.key": Array(generated.keyPEM.utf8)]
        try await harness.create(secret)
        var garbage = Secret(metadata: ObjectMeta(name: "garbage-tls", namespace: "default"))
        garbage.type = "kubernetes.io/tls"
        garbage.data = ["tls.crt": Array("not a certificate".utf8), "tls.key": Array("not a key".utf8)]
        try await harness.create(garbage)

        try await harness.create(
            Self.ingress(
                "secure", host: "secure.test", paths: [("/", API.IngressBackend(serviceName: "web", portNumber: 80))]
            ) {
                var tls = IngressTLS()
                tls.hosts = ["secure.test"]
                tls.secretName = "secure-tls"
                $0.spec.tls = [tls]
            })
        try await harness.create(
            Self.ingress(
                "missing", host: "missing.test", paths: [("/", API.IngressBackend(serviceName: "web", portNumber: 80))]
            ) {
                var tls = IngressTLS()
                tls.hosts = ["missing.test"]
                tls.secretName = "nowhere"
                $0.spec.tls = [tls]
            })
        try await harness.create(
            Self.ingress(
                "bad", host: "bad.test", paths: [("/", API.IngressBackend(serviceName: "web", portNumber: 80))]
            ) {
                var tls = IngressTLS()
                tls.hosts = ["bad.test"]
                tls.secretName = "garbage-tls"
                $0.spec.tls = [tls]
            })

        let https = try #require(harness.bound.https)
        var output = ""
        let served = await eventually(timeout: .seconds(15), every: .milliseconds(200)) {
            guard
                let result = try? IngressTLSTests.run([
                    "python3", "-c", IngressTLSTests.client, https.host, String(https.port), "secure.test",
                    generated.certificatePath,
                ])
            else { return false }
            output = result.output
            return result.status == 0 && output.contains("backend=web")
        }
        #expect(served, "TLS client output: \(output)")
        #expect(output.hasPrefix("secure.test"))

        let notFound = await harness.waitForEvent(Ingress.self, "missing", reason: "TLSSecretNotFound")
        #expect(notFound?.type == .warning)
        let invalid = await harness.waitForEvent(Ingress.self, "bad", reason: "TLSSecretInvalid")
        #expect(invalid?.message.contains("not a key") == false)
        // The others still route over plain HTTP.
        await Self.request(harness, host: "bad.test", "/") { $0.field("backend") == "web" }
        await harness.stop()
        await web.stop()
        await api.stop()
    }
}
