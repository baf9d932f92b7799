import Glibc

/// A version 2 pack index (`pack-*.idx`): which objects a pack holds and where each one starts.
///
/// Layout (all integers big-endian): the magic `\377tOc` and version 2; a fan-out table of 256 counts, entry
/// `b` being how many ids start with a byte `<= b`; the sorted 20-byte ids; one CRC-32 per object; one 32-bit
/// offset per object, where a set top bit means "the low 31 bits index the 64-bit offset table" (packs over
/// 2 GiB); that table; then the pack's checksum and the index's own. Everything is validated once when the
/// index is opened, so that lookups need no bounds checks beyond what the validated counts guarantee.
struct PackIndex {
    /// The mapped `.idx` file, held for as long as `bytes` is used.
    let file: MappedFile
    /// The file's bytes, kept apart from `file` so that a lookup reads them without touching the owner.
    private let bytes: UnsafeRawBufferPointer
    /// How many objects the pack holds.
    let count: Int
    /// The checksum of the `.pack` this index describes, which the pack's trailer must repeat.
    var packChecksum: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - 40)..<(bytes.count - 20)])
    }

    private static let magic: [UInt8] = [0xFF, 0x74, 0x4F, 0x63]
    private static let fanOutStart = 8
    private static let idsStart = fanOutStart + 256 * 4
    private let offsetsStart: Int
    private let largeOffsetsStart: Int
    private let largeOffsetCount: Int

    /// Validates the layout of a mapped index.
    ///
    /// - Throws: `.unsupported` for version 1 indexes (no magic) and other versions; `.corrupt` when the tables
    ///   do not fit the file or the fan-out table is not monotonic.
    init(_ file: MappedFile) throws(PackReadError) {
        let bytes = file.bytes
        guard bytes.count >= PackIndex.idsStart + 40, bytes.prefix(4).elementsEqual(PackIndex.magic) else {
            throw .unsupported("not a version 2 pack index")
        }
        let version = bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self).bigEndian
        guard version == 2 else { throw .unsupported("pack index version \(version)") }
        var previous: UInt32 = 0
        for slot in 0..<256 {
            let value = bytes.loadUnaligned(fromByteOffset: PackIndex.fanOutStart + slot * 4, as: UInt32.self).bigEndian
            guard value >= previous else { throw .corrupt("pack index fan-out table is not monotonic") }
            previous = value
        }
        let count = Int(previous)
        // ids (20 bytes), CRC-32s and 32-bit offsets (4 bytes each), then at least the two checksums.
        let fixedEnd = PackIndex.idsStart + count * 28
        let remainder = bytes.count - fixedEnd - 40
        guard remainder >= 0, remainder % 8 == 0 else { throw .corrupt("pack index size does not match its count") }
        self.file = file
        self.bytes = bytes
        self.count = count
        self.offsetsStart = PackIndex.idsStart + count * 24
        self.largeOffsetsStart = fixedEnd
        self.largeOffsetCount = remainder / 8
    }

    /// The offset in the pack of the object with the 20-byte id at `id`, or nil when the pack does not hold it.
    ///
    /// - Throws: `.corrupt` when the index points into a 64-bit offset table entry that does not exist.
    func offset(of id: UnsafeRawPointer) throws(PackReadError) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let first = Int(id.load(as: UInt8.self))
        var low = first == 0 ? 0 : Int(fanOut(first - 1))
        var high = Int(fanOut(first))
        let ids = base + PackIndex.idsStart
        // Ids compare as big-endian numbers; the first 8 bytes almost always decide, without a call to memcmp.
        let wanted = UInt64(bigEndian: id.loadUnaligned(as: UInt64.self))
        while low < high {
            let middle = (low &+ high) >> 1
            let candidate = ids + middle * 20
            let prefix = UInt64(bigEndian: candidate.loadUnaligned(as: UInt64.self))
            let order = prefix != wanted ? (prefix < wanted ? -1 : 1) : memcmp(candidate + 8, id + 8, 12)
            if order == 0 { return try offset(at: middle) }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The pack offset of the `position`-th object in id order.
    func offset(at position: Int) throws(PackReadError) -> Int {
        let small = bytes.loadUnaligned(fromByteOffset: offsetsStart + position * 4, as: UInt32.self).bigEndian
        guard small & 0x8000_0000 != 0 else { return Int(small) }
        let slot = Int(small & 0x7FFF_FFFF)
        guard slot < largeOffsetCount else { throw .corrupt("pack index names a missing 64-bit offset") }
        let large = bytes.loadUnaligned(fromByteOffset: largeOffsetsStart + slot * 8, as: UInt64.self).bigEndian
        guard large <= UInt64(Int.max) else { throw .corrupt("pack offset out of range") }
        return Int(large)
    }

    private func fanOut(_ slot: Int) -> UInt32 {
        bytes.loadUnaligned(fromByteOffset: PackIndex.fanOutStart + slot * 4, as: UInt32.self).bigEndian
    }
}
