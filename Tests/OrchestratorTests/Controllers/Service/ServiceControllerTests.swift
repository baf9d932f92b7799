import API
import Foundation
import NIOCore
import NIOPosix
import TestSupport
import Testing

@testable import Orchestrator

/// The Service controller against a real store and real sockets: allocation, restarts, conflicts, proxying.
@Suite struct ServiceControllerTests {
    @Test func allocatesClusterIPsNodePortsAndLoadBalancerStatus() async throws {
        let harness = try await NetworkHarness()
        try await harness.create(testService("plain", selector: "a", ports: [ServicePort(port: 80)]))
        try await harness.create(
            testService("node", selector: "a", ports: [ServicePort(name: "http", port: 80)], type: "NodePort"))
        try await harness.create(
            testService(
                "lb", selector: "a",
                ports: [ServicePort(name: "http", port: 80), ServicePort(name: "https", port: 443)],
                type: "LoadBalancer"))
        try await harness.create(
            testService("headless", selector: "a", ports: [ServicePort(port: 80)]) {
                $0.spec.clusterIP = "None"
            })
        try await harness.create(
            testService("external", selector: nil, ports: [], type: "ExternalName") {
                $0.spec.externalName = "example.com"
            })

        let plain = await harness.wait(Service.self, "plain") {
            $0.condition("ClusterIPAllocated")?.status == "True" && $0.condition("ProxyListening")?.status == "True"
        }
        let plainIP = try #require(plain?.spec.clusterIP)
        #expect(plainIP.hasPrefix(harness.prefix + "."))
        #expect(plain?.spec.clusterIPs == [String](arrayLiteral: plainIP))
        #expect(plain?.spec.ports.first?.nodePort == nil)

        let node = await harness.wait(Service.self, "node") { $0.spec.ports.first?.nodePort != nil }
        #expect((30000...32767).contains(node?.spec.ports.first?.nodePort ?? 0))
        #expect(node?.spec.clusterIP != plainIP)

        let lb = await harness.wait(Service.self, "lb") {
            $0.status.loadBalancer != nil && $0.spec.ports.allSatisfy { $0.nodePort != nil }
        }
        let expected: Value = ["ingress": [["ip": .string(harness.nodeAddress)]]]
        #expect(lb?.status.loadBalancer == expected)
        let nodePorts = lb?.spec.ports.compactMap { $0.nodePort } ?? []
        #expect(Set(nodePorts).count == 2)

        try await Task.sleep(for: .milliseconds(200))
        let headless = await harness.get(Service.self, "headless")
        #expect(headless?.spec.clusterIP == "None")
        #expect(headless?.spec.clusterIPs.isEmpty == true)
        #expect(await harness.get(Service.self, "external")?.spec.clusterIP == nil)
        await harness.stop()
    }

    @Test func requestedAddressesAreHonouredAndConflictsReported() async throws {
        let harness = try await NetworkHarness()
        let wanted = "\(harness.prefix).200"
        try await harness.create(
            testService("first", selector: "a", ports: [ServicePort(port: 80, targetPort: nil)], type: "NodePort") {
                $0.spec.clusterIP = wanted
                $0.spec.ports[0].nodePort = 30010
            })
        await harness.wait(Service.self, "first") { $0.condition("ClusterIPAllocated")?.status == "True" }
        try await harness.create(
            testService("second", selector: "a", ports: [ServicePort(port: 81)], type: "NodePort") {
                $0.spec.clusterIP = wanted
                $0.spec.ports[0].nodePort = 30010
            })
        try await harness.create(
            testService("outside", selector: "a", ports: [ServicePort(port: 82)]) { $0.spec.clusterIP = "10.0.0.1" })

        let second = await harness.wait(Service.self, "second") {
            $0.condition("ClusterIPAllocated")?.status == "False"
                && $0.condition("NodePortsAllocated")?.status == "False"
        }
        #expect(second?.condition("ClusterIPAllocated")?.reason == "AlreadyAllocated")
        #expect(second?.condition("ClusterIPAllocated")?.message?.contains("default/first") == true)
        #expect(second?.condition("NodePortsAllocated")?.message?.contains("30010") == true)
        await harness.waitForEvent(Service.self, "second", reason: "ClusterIPAllocationFailed")
        await harness.waitForEvent(Service.self, "second", reason: "NodePortAllocationFailed")
        let outside = await harness.wait(Service.self, "outside") {
            $0.condition("ClusterIPAllocated")?.status == "False"
        }
        #expect(outside?.condition("ClusterIPAllocated")?.reason == "OutOfRange")

        // The owner is unaffected and keeps its address.
        let first = await harness.get(Service.self, "first")
        #expect(first?.spec.clusterIP == wanted)
        #expect(first?.spec.ports.first?.nodePort == 30010)
        #expect(first?.condition("NodePortsAllocated")?.status == "True")

        // Once the owner is gone, the address goes to the Service that asked for it.
        try await harness.store.delete(ObjectKey(kind: "Service", namespace: "default", name: "first"))
        await harness.wait(Service.self, "second") {
            $0.condition("ClusterIPAllocated")?.status == "True" && $0.condition("NodePortsAllocated")?.status == "True"
        }
        await harness.stop()
    }

    @Test func allocationsSurviveARestart() async throws {
        let first = try await NetworkHarness()
        let store = first.store
        try await first.create(testService("one", selector: "a", ports: [ServicePort(port: 80)], type: "NodePort"))
        let one = try #require(await first.wait(Service.self, "one") { $0.spec.ports.first?.nodePort != nil })
        await first.stop()

        // Written while no controller runs: one asks for one's address, the other for nothing.
        _ = try await store.create(
            testService("copycat", selector: "a", ports: [ServicePort(port: 80)]) {
                $0.spec.clusterIP = one.spec.clusterIP
            }
            .toValue())
        _ = try await store.create(
            testService("two", selector: "a", ports: [ServicePort(port: 80)], type: "NodePort").toValue())

        let second = try await NetworkHarness(store: store, prefix: first.prefix)
        let two = await second.wait(Service.self, "two") { $0.spec.ports.first?.nodePort != nil }
        #expect(two?.spec.clusterIP != nil)
        #expect(two?.spec.clusterIP != one.spec.clusterIP)
        #expect(two?.spec.ports.first?.nodePort != one.spec.ports.first?.nodePort)
        await second.wait(Service.self, "copycat") { $0.condition("ClusterIPAllocated")?.reason == "AlreadyAllocated" }
        let again = await second.get(Service.self, "one")
        #expect(again?.spec.clusterIP == one.spec.clusterIP)
        #expect(again?.condition("ClusterIPAllocated")?.status == "True")
        await second.stop()
    }

    @Test func clusterIPAndNodePortBalanceOverReadyPods() async throws {
        let harness = try await NetworkHarness()
        let a = try await EchoBackend(name: "a")
        let b = try await EchoBackend(name: "b")
        let c = try await EchoBackend(name: "c")
        try await harness.create(
            testService(
                "echo", selector: "echo", ports: [ServicePort(name: "tcp", port: 7000, targetPort: "tcp")],
                type: "NodePort"))
        try await harness.createPod(
            "echo-a", labels: ["app": "echo"], ports: [("tcp", 9000, a.address.port)], ready: true)
        try await harness.createPod(
            "echo-b", labels: ["app": "echo"], ports: [("tcp", 9000, b.address.port)], ready: true)
        try await harness.createPod(
            "echo-c", labels: ["app": "echo"], ports: [("tcp", 9000, c.address.port)], ready: false)
        let service = try #require(
            await harness.wait(Service.self, "echo") {
                $0.spec.clusterIP != nil && $0.spec.ports.first?.nodePort != nil
            })
        await harness.wait(Endpoints.self, "echo") { $0.ready("tcp").count == 2 }

        let clusterAddress = HostPort(host: service.spec.clusterIP!, port: 7000)
        let nodeAddress = HostPort(host: harness.nodeAddress, port: service.spec.ports[0].nodePort!)
        for address in [clusterAddress, nodeAddress] {
            var seen: Set<String> = []
            _ = await eventually(timeout: .seconds(10)) {
                if let name = try? await Self.greeting(address) { seen.insert(name) }
                return seen == ["a", "b"]
            }
            #expect(seen == ["a", "b"], "through \(address)")
        }
        await harness.stop()
        for backend in [a, b, c] { await backend.stop() }
    }

    @Test func bindFailuresAreReportedOnTheService() async throws {
        let harness = try await NetworkHarness()
        let taken = "\(harness.prefix).77"
        let squatter = try await ServerBootstrap(group: NetworkTestSupport.group).bind(host: taken, port: 6000).get()
        try await harness.create(
            testService("blocked", selector: "x", ports: [ServicePort(port: 6000)]) { $0.spec.clusterIP = taken })
        let blocked = await harness.wait(Service.self, "blocked") { $0.condition("ProxyListening")?.status == "False" }
        #expect(blocked?.condition("ProxyListening")?.reason == "BindFailed")
        #expect(blocked?.condition("ProxyListening")?.message?.contains("\(taken):6000") == true)
        #expect(blocked?.spec.clusterIP == taken)  // never moved to another address
        await harness.waitForEvent(Service.self, "blocked", reason: "ProxyBindFailed")

        // Retried: once the address is free the proxy listens.
        try await squatter.close()
        await harness.wait(Service.self, "blocked") { $0.condition("ProxyListening")?.status == "True" }
        await harness.stop()
    }

    /// The first line an `EchoBackend` sends through `address`.
    static func greeting(_ address: HostPort) async throws -> String? {
        let client = try await RawClient(address)
        let line = try await client.readLine()
        await client.close()
        return line
    }
}
