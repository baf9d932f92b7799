/// Hands out Service cluster IPs from an IPv4 CIDR, as the API server's service IP allocator does.
///
/// The network and broadcast addresses of the range are never handed out. Allocation is next-fit from the last
/// address handed out, so it is deterministic and spreads re-use of released addresses. The default range lies
/// on the loopback network (`127.10.0.0/16`), where every address can be bound locally without configuration.
///
/// A pure value: the caller (the Service controller) owns it and persists allocations through Service objects;
/// after a restart it re-marks existing Services' IPs with ``allocate(_:)``.
public struct ClusterIPAllocator: Sendable, Hashable {
    /// The range used when none is configured.
    public static let defaultCIDR = "127.10.0.0/16"

    /// The first address of the CIDR (its network address).
    public let network: IPv4Address
    /// The CIDR's prefix length, 1–30.
    public let prefixLength: Int
    /// Addresses currently allocated.
    public private(set) var allocated: Set<IPv4Address> = []
    /// Offset (from `network`) of the next address to try.
    private var cursor: UInt32 = 1

    /// Creates an allocator for `cidr` (`a.b.c.d/n`, n in 1…30).
    ///
    /// - Throws: ``NetworkError/Code/invalidArgument`` for a malformed CIDR or one too small to hold any address.
    public init(cidr: String = ClusterIPAllocator.defaultCIDR) throws(NetworkError) {
        let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let base = IPv4Address(parts[0]), let length = Int(parts[1]), (1...30).contains(length)
        else {
            throw NetworkError(.invalidArgument, "invalid service CIDR \"\(cidr)\" (want a.b.c.d/n with n in 1…30)")
        }
        let mask: UInt32 = length == 32 ? .max : ~(UInt32.max >> UInt32(length))
        self.network = IPv4Address(base.value & mask)
        self.prefixLength = length
    }

    /// How many addresses the range can hand out (network and broadcast excluded).
    public var capacity: Int { (1 << (32 - prefixLength)) - 2 }

    /// The last address of the CIDR (its broadcast address).
    public var broadcast: IPv4Address { IPv4Address(network.value | (UInt32.max >> UInt32(prefixLength))) }

    /// Whether `address` is one the range can hand out.
    public func contains(_ address: IPv4Address) -> Bool {
        address.value > network.value && address.value < broadcast.value
    }

    /// Whether `address` is currently allocated.
    public func isAllocated(_ address: IPv4Address) -> Bool { allocated.contains(address) }

    /// Allocates `requested` when given (it must be in range and free), otherwise the next free address.
    ///
    /// - Throws: ``NetworkError/Code/outOfRange`` or ``NetworkError/Code/alreadyAllocated`` for a requested
    ///   address; ``NetworkError/Code/rangeExhausted`` when no address is free.
    @discardableResult
    public mutating func allocate(_ requested: IPv4Address? = nil) throws(NetworkError) -> IPv4Address {
        if let requested {
            guard contains(requested) else {
                throw NetworkError(
                    .outOfRange, "cluster IP \(requested) is not in the service range \(network)/\(prefixLength)")
            }
            guard allocated.insert(requested).inserted else {
                throw NetworkError(.alreadyAllocated, "cluster IP \(requested) is already allocated")
            }
            return requested
        }
        let size = UInt32(capacity)
        for step in 0..<size {
            let offset = (cursor - 1 + step) % size + 1
            let candidate = IPv4Address(network.value + offset)
            if allocated.insert(candidate).inserted {
                cursor = offset % size + 1
                return candidate
            }
        }
        throw NetworkError(.rangeExhausted, "no free cluster IP in \(network)/\(prefixLength)")
    }

    /// Parses and allocates a requested address given as text (a Service's `spec.clusterIP`); `nil` or empty
    /// allocates the next free one.
    @discardableResult
    public mutating func allocate(requested text: String?) throws(NetworkError) -> IPv4Address {
        guard let text, !text.isEmpty else { return try allocate() }
        guard let address = IPv4Address(text) else {
            throw NetworkError(.invalidArgument, "cluster IP \"\(text)\" is not an IPv4 address")
        }
        return try allocate(address)
    }

    /// Returns `address` to the pool; releasing an address that is not allocated does nothing.
    public mutating func release(_ address: IPv4Address) {
        allocated.remove(address)
    }
}
