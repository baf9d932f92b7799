/// A pack's data file (`pack-*.pack`), read in place from its mapping.
///
/// Layout: `PACK`, a version (2 or 3) and an object count, big-endian; the entries; a 20-byte checksum. Each entry
/// starts with its type and inflated size as a little-endian base-128 number (type in bits 4-6 of the first
/// byte, size in its low 4 bits and then 7 bits per byte), then, for an offset delta, the distance back to its
/// base (big-endian base-128, each continuation adding one), or, for a reference delta, the base's 20-byte
/// id; then the zlib stream of the object or of the delta.
struct PackFile {
    /// The mapped `.pack` file, held for as long as `bytes` is used.
    let file: MappedFile
    /// The file's bytes, kept apart from `file` so that reading an entry does not touch the owner.
    private let bytes: UnsafeRawBufferPointer

    /// The most a deflate stream can expand its input, plus slack for the stream's header and trailer.
    private static let maximumInflateRatio = 1_040

    /// Where entries may lie: after the 12-byte header and before the trailing checksum.
    private var entriesEnd: Int { bytes.count - 20 }

    /// Checks the header and that the trailer matches the index, so that an index is never used with a pack it
    /// does not describe (a half-written or replaced file).
    init(_ file: MappedFile, index: PackIndex) throws(PackReadError) {
        let bytes = file.bytes
        guard bytes.count >= 32, bytes.prefix(4).elementsEqual("PACK".utf8) else { throw .corrupt("not a pack file") }
        let version = bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self).bigEndian
        guard version == 2 || version == 3 else { throw .unsupported("pack version \(version)") }
        let count = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).bigEndian
        guard Int(count) == index.count else { throw .corrupt("pack and index disagree on the object count") }
        guard bytes.suffix(20).elementsEqual(index.packChecksum) else {
            throw .corrupt("pack checksum does not match its index")
        }
        self.file = file
        self.bytes = bytes
    }

    /// Decodes the entry header at `offset`.
    ///
    /// - Throws: `.corrupt` when the header runs past the entries, names an unknown type, or points an offset
    ///   delta at or after itself.
    func entry(at offset: Int) throws(PackReadError) -> PackEntry {
        let end = entriesEnd
        guard offset >= 12, offset < end else { throw .corrupt("entry offset \(offset) outside the pack") }
        var position = offset
        var byte = bytes[position]
        position += 1
        let type = (byte >> 4) & 0x7
        var size = Int(byte & 0x0F)
        var shift = 4
        while byte & 0x80 != 0 {
            guard position < end, shift <= 56 else { throw .corrupt("entry header at \(offset) is malformed") }
            byte = bytes[position]
            position += 1
            size |= Int(byte & 0x7F) << shift
            shift += 7
        }
        let kind: PackEntry.Kind
        switch type {
        case 1...4:
            // The cases above are exactly GitObjectKind's raw values.
            kind = .whole(GitObjectKind(rawValue: type) ?? .blob)
        case 6:
            guard position < end else { throw .corrupt("offset delta at \(offset) is truncated") }
            byte = bytes[position]
            position += 1
            var distance = Int(byte & 0x7F)
            while byte & 0x80 != 0 {
                guard position < end, distance < (Int.max >> 8) else {
                    throw .corrupt("offset delta at \(offset) is malformed")
                }
                byte = bytes[position]
                position += 1
                distance = ((distance + 1) << 7) | Int(byte & 0x7F)
            }
            guard distance > 0, distance <= offset - 12 else {
                throw .corrupt("offset delta at \(offset) points outside the pack")
            }
            kind = .offsetDelta(baseOffset: offset - distance)
        case 7:
            guard position + 20 <= end else { throw .corrupt("reference delta at \(offset) is truncated") }
            kind = .referenceDelta(baseIDOffset: position)
            position += 20
        default:
            throw .corrupt("entry at \(offset) has unknown type \(type)")
        }
        guard position < end else { throw .corrupt("entry at \(offset) has no data") }
        // Deflate expands at most 1,032 to 1, so a larger size is a lie that must not become an allocation.
        guard size / PackFile.maximumInflateRatio <= end - position else {
            throw .corrupt("entry at \(offset) claims \(size) bytes")
        }
        return PackEntry(kind: kind, size: size, dataOffset: position)
    }

    /// The bytes from `offset` to the trailer: a zlib stream starts there and ends somewhere inside.
    func stream(from offset: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[offset..<entriesEnd])
    }

    /// The 20 bytes at `offset` (a reference delta's base id, which `entry(at:)` checked lies inside the pack).
    func rawID(at offset: Int) -> UnsafeRawPointer {
        precondition(offset >= 12 && offset + 20 <= entriesEnd, "object id outside the pack")
        // The mapping is never empty, so it has a base address.
        return bytes.baseAddress.unsafelyUnwrapped + offset
    }
}

/// One decoded pack entry header.
struct PackEntry {
    /// What the entry's data is.
    enum Kind {
        /// A whole object, deflated.
        case whole(GitObjectKind)
        /// A delta against the entry at `baseOffset` in the same pack.
        case offsetDelta(baseOffset: Int)
        /// A delta against the object whose 20-byte id is stored in the pack at `baseIDOffset`.
        case referenceDelta(baseIDOffset: Int)
    }

    var kind: Kind
    /// The inflated size of the data: the object's size for a whole object, the delta's size for a delta.
    var size: Int
    /// Where the zlib stream starts in the pack.
    var dataOffset: Int
}
