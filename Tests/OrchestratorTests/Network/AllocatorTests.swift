import Testing

@testable import Orchestrator

@Suite struct ClusterIPAllocatorTests {
    @Test func allocatesFromTheDefaultRangeSkippingTheNetworkAddress() throws {
        var allocator = try ClusterIPAllocator()
        #expect(allocator.capacity == 65534)
        #expect(try allocator.allocate().description == "127.10.0.1")
        #expect(try allocator.allocate().description == "127.10.0.2")
    }

    @Test func honoursARequestedAddressAndRejectsConflicts() throws {
        var allocator = try ClusterIPAllocator(cidr: "127.20.0.0/24")
        let requested = try #require(IPv4Address("127.20.0.7"))
        #expect(try allocator.allocate(requested) == requested)
        #expect(throws: NetworkError.self) { try allocator.allocate(requested) }
        do {
            try allocator.allocate(requested: "127.20.0.7")
            Issue.record("expected a conflict")
        } catch {
            #expect(error.code == .alreadyAllocated)
        }
        do {
            try allocator.allocate(requested: "127.21.0.7")
            Issue.record("expected out of range")
        } catch {
            #expect(error.code == .outOfRange)
        }
        do {
            try allocator.allocate(requested: "127.20.0.255")
            Issue.record("broadcast must not be allocatable")
        } catch {
            #expect(error.code == .outOfRange)
        }
    }

    @Test func skipsTakenAddressesReleasesAndExhausts() throws {
        var allocator = try ClusterIPAllocator(cidr: "10.0.0.0/30")
        #expect(allocator.capacity == 2)
        try allocator.allocate(IPv4Address("10.0.0.1"))
        #expect(try allocator.allocate().description == "10.0.0.2")
        do {
            try allocator.allocate()
            Issue.record("expected exhaustion")
        } catch {
            #expect(error.code == .rangeExhausted)
        }
        allocator.release(try #require(IPv4Address("10.0.0.1")))
        #expect(try allocator.allocate().description == "10.0.0.1")
    }

    @Test(arguments: ["", "127.10.0.0", "127.10.0.0/33", "127.10.0/16", "300.0.0.0/8", "127.10.0.0/31"])
    func rejectsInvalidCIDRs(_ cidr: String) {
        #expect(throws: NetworkError.self) { try ClusterIPAllocator(cidr: cidr) }
    }

    @Test func normalisesTheNetworkAddress() throws {
        let allocator = try ClusterIPAllocator(cidr: "127.10.3.4/16")
        #expect(allocator.network.description == "127.10.0.0")
        #expect(allocator.broadcast.description == "127.10.255.255")
    }
}

@Suite struct NodePortAllocatorTests {
    @Test func allocatesFromTheDynamicBandFirst() throws {
        var allocator = try NodePortAllocator()
        #expect(allocator.dynamicBandStart == 30086)
        #expect(try allocator.allocate() == 30086)
        #expect(try allocator.allocate() == 30087)
    }

    @Test func requestedPortsAndConflicts() throws {
        var allocator = try NodePortAllocator()
        #expect(try allocator.allocate(30000) == 30000)
        do {
            try allocator.allocate(30000)
            Issue.record("expected a conflict")
        } catch {
            #expect(error.code == .alreadyAllocated)
        }
        do {
            try allocator.allocate(8080)
            Issue.record("expected out of range")
        } catch {
            #expect(error.code == .outOfRange)
        }
        allocator.release(30000)
        #expect(try allocator.allocate(30000) == 30000)
    }

    @Test func fallsBackToTheStaticBandThenExhausts() throws {
        var allocator = try NodePortAllocator(range: 40000...40019)
        #expect(allocator.dynamicBandStart == 40016)
        var seen = Set<Int>()
        for _ in 0..<20 { seen.insert(try allocator.allocate()) }
        #expect(seen == Set(40000...40019))
        do {
            try allocator.allocate()
            Issue.record("expected exhaustion")
        } catch {
            #expect(error.code == .rangeExhausted)
        }
    }
}

@Suite struct EndpointPickerTests {
    static let a = HostPort(host: "127.0.0.1", port: 1001)
    static let b = HostPort(host: "127.0.0.1", port: 1002)
    static let c = HostPort(host: "127.0.0.1", port: 1003)

    @Test func roundRobinWithFallbackOrder() {
        var picker = EndpointPicker(endpoints: [Self.a, Self.b, Self.c], affinity: .none)
        let now = ContinuousClock.now
        #expect(picker.candidates(clientIP: "1.1.1.1", now: now) == [Self.a, Self.b, Self.c])
        #expect(picker.candidates(clientIP: "1.1.1.1", now: now) == [Self.b, Self.c, Self.a])
        #expect(picker.candidates(clientIP: "1.1.1.1", now: now).first == Self.c)
        #expect(picker.candidates(clientIP: "1.1.1.1", now: now).first == Self.a)
    }

    @Test func emptyAndDraining() {
        var picker = EndpointPicker(endpoints: [], affinity: .none)
        #expect(picker.candidates(clientIP: nil, now: .now).isEmpty)
        picker.update(endpoints: [Self.a, Self.b], affinity: .none)
        for _ in 0..<4 {
            #expect(picker.candidates(clientIP: nil, now: .now, excluding: [Self.a]) == [Self.b])
        }
        #expect(picker.candidates(clientIP: nil, now: .now, excluding: [Self.a, Self.b]).isEmpty)
    }

    @Test func clientIPAffinitySticksUntilTimeoutOrRemoval() {
        var picker = EndpointPicker(endpoints: [Self.a, Self.b, Self.c], affinity: .clientIP(timeout: .seconds(10)))
        let start = ContinuousClock.now
        let first = picker.candidates(clientIP: "10.0.0.1", now: start).first
        for step in 1...5 {
            #expect(picker.candidates(clientIP: "10.0.0.1", now: start + .seconds(step)).first == first)
        }
        // Another client moves on round-robin.
        #expect(picker.candidates(clientIP: "10.0.0.2", now: start).first != first)
        // Expired: a fresh round-robin pick.
        let later = picker.candidates(clientIP: "10.0.0.1", now: start + .seconds(100)).first
        #expect(later != nil)
        // The pinned endpoint goes away: the client moves.
        let pinned = picker.affinityEndpoint(for: "10.0.0.1")!
        picker.update(endpoints: [Self.a, Self.b, Self.c].filter { $0 != pinned }, affinity: .clientIP(timeout: .seconds(10)))
        #expect(picker.affinityEndpoint(for: "10.0.0.1") == nil)
        #expect(picker.candidates(clientIP: "10.0.0.1", now: start + .seconds(101)).first != pinned)
    }

    @Test func stickRecordsAFallback() {
        var picker = EndpointPicker(endpoints: [Self.a, Self.b], affinity: .clientIP())
        let now = ContinuousClock.now
        #expect(picker.candidates(clientIP: "x", now: now).first == Self.a)
        picker.stick(clientIP: "x", to: Self.b, now: now)
        #expect(picker.candidates(clientIP: "x", now: now) == [Self.b, Self.a])
    }
}
