extension Array where Element == UInt8 {
    /// An array of exactly `count` bytes written by `body`, without zero-filling them first: inflated objects
    /// and rebuilt deltas are written whole, so the zeroes would be overwritten at once.
    ///
    /// `body` must write every byte; if it throws, nothing is kept and the error is rethrown.
    init<E: Error>(uninitializedCount count: Int, _ body: (UnsafeMutableRawBufferPointer) throws(E) -> Void) throws(E) {
        var failure: E?
        self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(E) {
                try body(UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
    }
}
