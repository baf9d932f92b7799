/// Hands out NodePorts from a port range (default 30000–32767), as the API server's node port allocator does.
///
/// The range is split like Kubernetes' into a static band at the bottom (for ports users pick by hand) and a
/// dynamic band above it; automatic allocation takes the dynamic band first and falls back to the static band
/// when it is full. Allocation is next-fit, so it is deterministic. A pure value owned by the Service controller.
public struct NodePortAllocator: Sendable, Hashable {
    /// The range used when none is configured (`--service-node-port-range`).
    public static let defaultRange: ClosedRange<Int> = 30000...32767

    /// Ports this allocator hands out.
    public let range: ClosedRange<Int>
    /// Ports currently allocated.
    public private(set) var allocated: Set<Int> = []
    /// First port of the dynamic band.
    public let dynamicBandStart: Int
    private var dynamicCursor: Int
    private var staticCursor: Int

    /// Creates an allocator for `range` (within 1–65535).
    ///
    /// - Throws: ``NetworkError/Code/invalidArgument`` when the range is outside 1–65535.
    public init(range: ClosedRange<Int> = NodePortAllocator.defaultRange) throws(NetworkError) {
        guard range.lowerBound >= 1, range.upperBound <= 65535 else {
            throw NetworkError(.invalidArgument, "node port range \(range) is not within 1…65535")
        }
        self.range = range
        // Kubernetes: static band size = min(max(16, size/32), 128), but never the whole range.
        let size = range.count
        let staticSize = min(max(16, size / 32), 128)
        self.dynamicBandStart = staticSize < size ? range.lowerBound + staticSize : range.lowerBound
        self.dynamicCursor = dynamicBandStart
        self.staticCursor = range.lowerBound
    }

    /// Whether `port` is currently allocated.
    public func isAllocated(_ port: Int) -> Bool { allocated.contains(port) }

    /// Allocates `requested` when given (in range and free), otherwise the next free port.
    ///
    /// - Throws: ``NetworkError/Code/outOfRange`` or ``NetworkError/Code/alreadyAllocated`` for a requested port
    ///   (the Service using it must fail, never silently get another port); ``NetworkError/Code/rangeExhausted``
    ///   when no port is free.
    @discardableResult
    public mutating func allocate(_ requested: Int? = nil) throws(NetworkError) -> Int {
        if let requested {
            guard range.contains(requested) else {
                throw NetworkError(
                    .outOfRange,
                    "provided node port \(requested) is not in the valid range \(range.lowerBound)-\(range.upperBound)")
            }
            guard allocated.insert(requested).inserted else {
                throw NetworkError(.alreadyAllocated, "provided node port \(requested) is already allocated")
            }
            return requested
        }
        if let port = Self.nextFree(in: dynamicBandStart...range.upperBound, from: &dynamicCursor, taken: &allocated) {
            return port
        }
        if dynamicBandStart > range.lowerBound,
            let port = Self.nextFree(in: range.lowerBound...(dynamicBandStart - 1), from: &staticCursor, taken: &allocated)
        {
            return port
        }
        throw NetworkError(.rangeExhausted, "no free node port in \(range.lowerBound)-\(range.upperBound)")
    }

    /// Returns `port` to the pool; releasing a port that is not allocated does nothing.
    public mutating func release(_ port: Int) {
        allocated.remove(port)
    }

    private static func nextFree(in band: ClosedRange<Int>, from cursor: inout Int, taken: inout Set<Int>) -> Int? {
        let size = band.count
        let start = band.contains(cursor) ? cursor - band.lowerBound : 0
        for step in 0..<size {
            let port = band.lowerBound + (start + step) % size
            if taken.insert(port).inserted {
                cursor = band.lowerBound + (start + step + 1) % size
                return port
            }
        }
        return nil
    }
}
