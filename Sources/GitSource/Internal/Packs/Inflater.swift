import CZlib

/// Owns one zlib inflate stream, re-used for every pack entry; ended in `deinit`.
///
/// `inflateReset` keeps the stream's allocated state, so re-using one stream saves the allocation and set-up
/// of `inflateInit` on every object, which matters when objects are a few hundred bytes. The `z_stream` lives
/// at a fixed heap address because zlib's internal state points back at it.
///
/// Not thread-safe: one `PackReader` owns one `Inflater` and uses it from one thread at a time.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    /// What `inflate` writes to when asked for zero bytes: zlib refuses a null output pointer.
    private var emptyOutput: UInt8 = 0

    /// Creates the stream.
    ///
    /// - Throws: `.unsupported` when zlib cannot initialise (out of memory, a mismatched library).
    init() throws(PackReadError) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let result = gitopsd_inflate_init(stream)
        guard result == Z_OK else {
            stream.deallocate()
            throw .unsupported("zlib inflateInit failed (\(result))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Starts inflating the zlib stream at the beginning of `input` (which may run on past its end).
    func start(_ input: UnsafeRawBufferPointer) throws(PackReadError) {
        guard inflateReset(stream) == Z_OK else { throw .corrupt("zlib inflateReset failed") }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        // Only the stream's own length is consumed; a pack larger than 4 GiB is never read in one piece.
        stream.pointee.avail_in = uInt(clamping: input.count)
    }

    /// Fills `output` exactly with the next bytes of the stream started by `start(_:)`.
    ///
    /// - Parameter last: whether `output` should take the stream to its end; then a stream that is longer or
    ///   shorter than what was asked for is an error.
    /// - Throws: `.corrupt` when the data does not inflate, ends early, or (with `last`) does not end there.
    func fill(_ output: UnsafeMutableRawBufferPointer, last: Bool) throws(PackReadError) {
        let result: Int32
        if let base = output.baseAddress, output.count > 0 {
            guard output.count <= Int(uInt.max) else { throw .unsupported("an object over 4 GiB") }
            stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            // Z_FINISH on a single call lets zlib skip its sliding window entirely.
            result = CZlib.inflate(stream, last ? Z_FINISH : Z_NO_FLUSH)
            guard stream.pointee.avail_out == 0 else { throw .corrupt("zlib stream ended early (\(result))") }
        } else {
            result = withUnsafeMutablePointer(to: &emptyOutput) { empty in
                stream.pointee.next_out = empty
                stream.pointee.avail_out = 0
                return CZlib.inflate(stream, Z_FINISH)
            }
        }
        if last {
            guard result == Z_STREAM_END else { throw .corrupt("zlib stream longer than its object (\(result))") }
        } else {
            guard result == Z_OK || result == Z_STREAM_END else { throw .corrupt("zlib inflate failed (\(result))") }
        }
    }

    /// Inflates one whole zlib stream at the start of `input` into exactly `output`.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(PackReadError) {
        try start(input)
        try fill(output, last: true)
    }
}
