import Glibc
import Testing

@testable import Orchestrator

@Suite("PortAllocator")
struct PortAllocatorTests {
    @Test func handsOutDistinctFreePortsAndKeepsThemPerPod() async throws {
        let allocator = PortAllocator()
        let requests = [
            ContainerPortRequest(container: "app", name: "http", containerPort: 8080),
            ContainerPortRequest(container: "app", name: "admin", containerPort: 9090),
        ]
        let first = try await allocator.allocate(namespace: "ns", pod: "a", ports: requests)
        let other = try await allocator.allocate(namespace: "ns", pod: "b", ports: requests)
        let all = (first + other).map(\.hostPort)
        #expect(Set(all).count == 4)
        #expect(all.allSatisfy { $0 > 0 && $0 < 65536 })
        #expect(first.map(\.containerPort) == [8080, 9090])

        // Asking again for the same pod returns the same ports.
        #expect(try await allocator.allocate(namespace: "ns", pod: "a", ports: requests) == first)
        #expect(await allocator.bindings(namespace: "ns", pod: "a") == first)

        // A port handed out is free for the container to bind on 127.0.0.1.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = IPv4SocketAddress.loopback(port: first[0].hostPort)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(bound == 0)

        await allocator.release(namespace: "ns", pod: "a")
        #expect(await allocator.bindings(namespace: "ns", pod: "a").isEmpty)
        #expect(await allocator.bindings(namespace: "ns", pod: "b") == other)
    }
}
