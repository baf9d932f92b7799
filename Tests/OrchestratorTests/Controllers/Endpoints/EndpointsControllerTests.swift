import API
import Foundation
import TestSupport
import Testing

@testable import Orchestrator

/// The Endpoints controller against a real store: pods written the way the kubelet leaves them.
@Suite struct EndpointsControllerTests {
    @Test func endpointsFollowPodReadinessAndDeletion() async throws {
        let harness = try await NetworkHarness()
        try await harness.create(
            testService("web", selector: "web", ports: [ServicePort(name: "http", port: 80, targetPort: "http")]))
        try await harness.createPod(
            "web-a", labels: ["app": "web"], ports: [("http", 8080, 41001)], ready: true)
        try await harness.createPod(
            "web-b", labels: ["app": "web"], ports: [("http", 8080, 41002)], ready: false)
        try await harness.createPod(
            "other", labels: ["app": "other"], ports: [("http", 8080, 41003)], ready: true)

        let first = await harness.wait(Endpoints.self, "web") {
            $0.ready("http") == ["web-a": 41001] && $0.notReady("http") == ["web-b": 41002]
        }
        let service = await harness.get(Service.self, "web")
        #expect(first?.metadata.ownerReferences.first?.uid == service?.metadata.uid)
        #expect(first?.metadata.ownerReferences.first?.controller == true)
        #expect(first?.metadata.labels == ["team": "web"])
        let address = first?.subsets.flatMap { $0.addresses }.first
        #expect(address?.ip == "127.0.0.1")
        #expect(address?.targetRef?.kind == "Pod")
        #expect(address?.targetRef?.uid == (await harness.get(Pod.self, "web-a"))?.metadata.uid)

        try await harness.setReady("web-b", true)
        await harness.wait(Endpoints.self, "web") { $0.ready("http") == ["web-a": 41001, "web-b": 41002] }

        // Nothing about the endpoints changed: no write.
        let before = await harness.get(Endpoints.self, "web")?.metadata.resourceVersion
        var relabelled = try #require(await harness.get(Pod.self, "web-a"))
        relabelled.metadata.labels["extra"] = "1"
        _ = try await harness.store.update(relabelled.toValue())
        try await harness.setReady("web-b", true)
        try await Task.sleep(for: .milliseconds(300))
        #expect(await harness.get(Endpoints.self, "web")?.metadata.resourceVersion == before)

        try await harness.deletePod("web-a")
        await harness.wait(Endpoints.self, "web") {
            $0.ready("http") == ["web-b": 41002] && $0.notReady("http").isEmpty
        }

        try await harness.store.delete(ObjectKey(kind: "Service", namespace: "default", name: "web"))
        #expect(await eventually(timeout: .seconds(10)) { await harness.get(Endpoints.self, "web") == nil })
        await harness.stop()
    }

    @Test func targetPortsResolveToHostPortsByNameAndNumber() async throws {
        let harness = try await NetworkHarness()
        try await harness.create(
            testService(
                "app", selector: "app",
                ports: [
                    ServicePort(name: "http", port: 80, targetPort: "web"),
                    ServicePort(name: "metrics", port: 9090, targetPort: 9100),
                    ServicePort(name: "fixed", port: 7000, targetPort: 7777),
                ]))
        // app-1 names its port "web" and declares 9100; app-2 calls its port "www" (not resolvable by name).
        try await harness.createPod(
            "app-1", labels: ["app": "app"], ports: [("web", 8080, 42001), (nil, 9100, 42002)], ready: true)
        try await harness.createPod(
            "app-2", labels: ["app": "app"], ports: [("www", 8080, 42003), (nil, 9100, 42004)], ready: true)

        let endpoints = await harness.wait(Endpoints.self, "app") {
            $0.ready("http") == ["app-1": 42001] && $0.ready("metrics") == ["app-1": 42002, "app-2": 42004]
        }
        // A number no container declares is the port the process listens on itself.
        #expect(endpoints?.ready("fixed") == ["app-1": 7777, "app-2": 7777])
        let protocols = endpoints?.subsets.flatMap { $0.ports.map { $0.protocol } } ?? []
        #expect(!protocols.isEmpty && protocols.allSatisfy { $0 == "TCP" })
        await harness.stop()
    }

    @Test func publishNotReadyAddressesListsEveryPodAsReady() async throws {
        let harness = try await NetworkHarness()
        try await harness.create(
            testService("db", selector: "db", ports: [ServicePort(port: 5432)]) {
                $0.spec.publishNotReadyAddresses = true
                $0.spec.clusterIP = "None"
            })
        try await harness.createPod("db-0", labels: ["app": "db"], ports: [(nil, 5432, 43001)], ready: false)
        await harness.wait(Endpoints.self, "db") { $0.ready() == ["db-0": 43001] && $0.notReady().isEmpty }
        await harness.stop()
    }

    @Test func endpointsOfServicesWithoutSelectorAreLeftAloneAndProxied() async throws {
        let harness = try await NetworkHarness()
        let backend = try await EchoBackend(name: "external")
        try await harness.create(testService("manual", selector: nil, ports: [ServicePort(port: 5000)]))
        var endpoints = Endpoints(metadata: ObjectMeta(name: "manual", namespace: "default"))
        var subset = EndpointSubset()
        subset.addresses = [EndpointAddress(ip: "127.0.0.1")]
        subset.ports = [EndpointPort(port: backend.address.port)]
        endpoints.subsets = [subset]
        let written = try await harness.create(endpoints)

        let service = await harness.wait(Service.self, "manual") { $0.spec.clusterIP != nil }
        let clusterIP = try #require(service?.spec.clusterIP)
        var greeting: String?
        _ = await eventually(timeout: .seconds(10)) {
            greeting = try? await ServiceControllerTests.greeting(HostPort(host: clusterIP, port: 5000))
            return greeting != nil
        }
        #expect(greeting == "external")
        let stored = await harness.get(Endpoints.self, "manual")
        #expect(stored?.metadata.resourceVersion == written.object[path: ["metadata", "resourceVersion"]]?.stringValue)
        #expect(stored?.metadata.ownerReferences.isEmpty == true)
        await harness.stop()
        await backend.stop()
    }
}
