import NIOCore

extension ByteBuffer {
    /// Appends bytes just read from a socket to what a connection has buffered. When nothing is buffered (the
    /// common case: one read holds one whole message) the read's buffer is taken as it is instead of copied.
    mutating func append(received bytes: inout ByteBuffer) {
        if readableBytes == 0 {
            self = bytes
        } else {
            writeBuffer(&bytes)
        }
    }
}
