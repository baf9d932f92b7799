import Testing

@testable import GitSource

@Suite("Delta and DeltaBaseCache: git's delta format and the base cache")
struct DeltaTests {
    /// A size as a delta header writes it: 7 bits per byte, least significant first.
    static func varint(_ value: Int) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            let low = UInt8(value & 0x7F)
            value >>= 7
            bytes.append(value == 0 ? low : low | 0x80)
        } while value != 0
        return bytes
    }

    /// A copy instruction with only the non-zero offset and size bytes present, as git writes it.
    static func copy(offset: Int, size: Int) -> [UInt8] {
        var instruction: UInt8 = 0x80
        var operands: [UInt8] = []
        for byte in 0..<4 where (offset >> (8 * byte)) & 0xFF != 0 {
            instruction |= 1 << byte
            operands.append(UInt8((offset >> (8 * byte)) & 0xFF))
        }
        let encoded = size == 0x10000 ? 0 : size
        for byte in 0..<3 where (encoded >> (8 * byte)) & 0xFF != 0 {
            instruction |= 0x10 << byte
            operands.append(UInt8((encoded >> (8 * byte)) & 0xFF))
        }
        return [instruction] + operands
    }

    static func insert(_ text: String) -> [UInt8] {
        [UInt8(text.utf8.count)] + Array(text.utf8)
    }

    static func apply(_ delta: [UInt8], to base: [UInt8]) throws(PackReadError) -> [UInt8] {
        try delta.withUnsafeBytes { delta in
            Result { () throws(PackReadError) -> [UInt8] in
                let header = try Delta.header(delta)
                try Delta.checkResultSize(header, deltaLength: delta.count)
                return try [UInt8](uninitializedCount: header.resultSize) { (output) throws(PackReadError) in
                    try base.withUnsafeBytes { base in
                        Result { () throws(PackReadError) in
                            try Delta.apply(delta, header: header, to: base, into: output)
                        }
                    }.get()
                }
            }
        }.get()
    }

    @Test("copies from the base and inserts new bytes, with multi-byte offsets and the 64 KiB copy")
    func applies() throws {
        let base = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
        let result = Array(base[0x01_0203..<(0x01_0203 + 0x10000)]) + Array("new".utf8) + Array(base[5..<10])
        let delta =
            Self.varint(base.count) + Self.varint(result.count) + Self.copy(offset: 0x01_0203, size: 0x10000)
            + Self.insert("new") + Self.copy(offset: 5, size: 5)
        #expect(try Self.apply(delta, to: base) == result)
    }

    @Test(
        "refuses deltas that do not fit their base or their header",
        arguments: [
            // Copies past the end of the base.
            DeltaTests.varint(10) + DeltaTests.varint(5) + DeltaTests.copy(offset: 8, size: 5),
            // Inserts more bytes than the delta holds.
            DeltaTests.varint(10) + DeltaTests.varint(5) + [5, 65, 66],
            // The reserved instruction 0.
            DeltaTests.varint(10) + DeltaTests.varint(1) + [0],
            // Produces fewer bytes than it claims, or more.
            DeltaTests.varint(10) + DeltaTests.varint(6) + DeltaTests.copy(offset: 0, size: 5),
            DeltaTests.varint(10) + DeltaTests.varint(4) + DeltaTests.copy(offset: 0, size: 5),
            // Expects another base size.
            DeltaTests.varint(11) + DeltaTests.varint(5) + DeltaTests.copy(offset: 0, size: 5),
            // A header cut short.
            [0x8A],
            // A result far larger than its instructions could produce.
            DeltaTests.varint(10) + DeltaTests.varint(1 << 40) + DeltaTests.copy(offset: 0, size: 5),
        ])
    func refusesCorruptDeltas(delta: [UInt8]) {
        let base = Array("0123456789".utf8)
        #expect(throws: PackReadError.self) { try Self.apply(delta, to: base) }
    }

    @Test("the base cache keeps recent objects within its budget and drops what is too large")
    func cacheKeepsWithinBudget() {
        var cache = DeltaBaseCache(capacity: 4000)
        let object = { (size: Int) in PackedObject(kind: .blob, bytes: [UInt8](repeating: 1, count: size)) }
        let key = { (offset: Int) in DeltaBaseCache.Key(pack: 0, offset: offset) }
        cache.insert(object(1001), at: key(1))
        #expect(cache.object(at: key(1)) == nil)
        for offset in 0..<10 { cache.insert(object(500), at: key(offset)) }
        #expect(cache.object(at: key(9))?.bytes.count == 500)
        #expect(cache.object(at: key(0)) == nil)
        // Another pack's entry at the same offset is another object.
        #expect(cache.object(at: DeltaBaseCache.Key(pack: 1, offset: 9)) == nil)
        // An object in the old generation that is used again survives the next turnover.
        #expect(cache.object(at: key(6)) != nil)
        for offset in 100..<104 { cache.insert(object(500), at: key(offset)) }
        #expect(cache.object(at: key(6)) != nil)
    }

    @Test("the base cache finds every one of many objects it holds")
    func cacheHoldsMany() {
        var cache = DeltaBaseCache(capacity: 1 << 30)
        let keys = (0..<20_000).map { DeltaBaseCache.Key(pack: $0 % 3, offset: 12 + ($0 / 3) * 37) }
        for (number, key) in keys.enumerated() {
            cache.insert(PackedObject(kind: .blob, bytes: [UInt8(truncatingIfNeeded: number)]), at: key)
        }
        #expect(keys.enumerated().allSatisfy { cache.object(at: $1)?.bytes == [UInt8(truncatingIfNeeded: $0)] })
        #expect(cache.object(at: DeltaBaseCache.Key(pack: 3, offset: 12)) == nil)
        cache.insert(PackedObject(kind: .tree, bytes: [1, 2]), at: keys[5])
        #expect(cache.object(at: keys[5])?.kind == .tree)
    }
}
