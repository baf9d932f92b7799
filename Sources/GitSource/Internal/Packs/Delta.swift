/// git's delta format: how a pack stores an object as edits of another (its base).
///
/// A delta starts with the base's size and the result's size, each a little-endian base-128 number (7 bits per
/// byte, high bit set on all but the last). Then instructions until the end: a byte with the high bit set
/// copies from the base (bits 0-3 say which of 4 little-endian offset bytes follow, bits 4-6 which of 3 size
/// bytes; a size of 0 means 65,536); a byte from 1 to 127 inserts that many bytes that follow it; 0 is
/// reserved.
enum Delta {
    /// The two sizes at the start of a delta.
    struct Header {
        /// How large the base must be.
        var baseSize: Int
        /// How large the result is.
        var resultSize: Int
        /// Where the instructions start.
        var instructionsStart: Int
    }

    /// The longest header: two sizes of up to 10 bytes each. Inflating this much of a delta is enough to know
    /// how large its result will be.
    static let maximumHeaderLength = 20

    /// Reads the header from the start of `delta` (which may be only its first bytes).
    ///
    /// - Throws: `.corrupt` when a size runs past `delta` or overflows.
    static func header(_ delta: UnsafeRawBufferPointer) throws(PackReadError) -> Header {
        var position = 0
        let baseSize = try size(delta, &position)
        let resultSize = try size(delta, &position)
        return Header(baseSize: baseSize, resultSize: resultSize, instructionsStart: position)
    }

    /// Checks that the `length` bytes of a delta could produce the result its header claims, before anything is
    /// allocated for it: an instruction of two bytes copies at most 0xFF0000 bytes, so each byte yields at most
    /// 8 MiB. A larger claim is corrupt.
    static func checkResultSize(_ header: Header, deltaLength length: Int) throws(PackReadError) {
        let instructions = length - header.instructionsStart
        guard instructions >= 0, header.resultSize / 0x80_0000 <= instructions else {
            throw .corrupt("a delta of \(length) bytes cannot produce \(header.resultSize)")
        }
    }

    /// Applies `delta`, whose header is `header`, to `base`, writing exactly `header.resultSize` bytes to `result`.
    ///
    /// - Throws: `.corrupt` when the base has the wrong size, an instruction reaches outside the base or the
    ///   delta, or the instructions produce more or fewer bytes than the header says.
    static func apply(
        _ delta: UnsafeRawBufferPointer, header: Header, to base: UnsafeRawBufferPointer,
        into result: UnsafeMutableRawBufferPointer
    ) throws(PackReadError) {
        guard base.count == header.baseSize, result.count == header.resultSize else {
            throw .corrupt("delta expects a base of \(header.baseSize) bytes, got \(base.count)")
        }
        var position = header.instructionsStart
        var written = 0
        let end = delta.count
        while position < end {
            let instruction = delta[position]
            position += 1
            if instruction & 0x80 != 0 {
                // Copy: the offset and size bytes present are flagged in the instruction's low 7 bits.
                var offset = 0
                var length = 0
                for bit in 0..<7 where instruction & (1 << bit) != 0 {
                    guard position < end else { throw .corrupt("delta copy instruction is truncated") }
                    let value = Int(delta[position])
                    position += 1
                    if bit < 4 { offset |= value << (8 * bit) } else { length |= value << (8 * (bit - 4)) }
                }
                if length == 0 { length = 0x10000 }
                guard offset <= base.count - length, length <= result.count - written else {
                    throw .corrupt("delta copies outside its base or result")
                }
                // Both counts are non-zero here, so both buffers have base addresses.
                (result.baseAddress.unsafelyUnwrapped + written).copyMemory(
                    from: base.baseAddress.unsafelyUnwrapped + offset, byteCount: length)
                written += length
            } else if instruction != 0 {
                let length = Int(instruction)
                guard length <= end - position, length <= result.count - written else {
                    throw .corrupt("delta inserts past its end or its result")
                }
                (result.baseAddress.unsafelyUnwrapped + written).copyMemory(
                    from: delta.baseAddress.unsafelyUnwrapped + position, byteCount: length)
                position += length
                written += length
            } else {
                throw .corrupt("delta has the reserved instruction 0")
            }
        }
        guard written == result.count else { throw .corrupt("delta produced \(written) of \(result.count) bytes") }
    }

    private static func size(_ delta: UnsafeRawBufferPointer, _ position: inout Int) throws(PackReadError) -> Int {
        var value = 0
        var shift = 0
        while true {
            guard position < delta.count, shift <= 56 else { throw .corrupt("delta header is malformed") }
            let byte = delta[position]
            position += 1
            value |= Int(byte & 0x7F) << shift
            shift += 7
            if byte & 0x80 == 0 { return value }
        }
    }
}
