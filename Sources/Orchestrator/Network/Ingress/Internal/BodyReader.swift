import NIOCore

/// How an HTTP/1.x message body is delimited (RFC 9112 §6.3).
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
    /// The body ends when the sender closes the connection (responses only).
    case untilClose
}

/// Follows a message body through the bytes of a connection, so the proxy knows where one message ends and the
/// next begins while it forwards the body bytes unchanged, in whatever framing they arrived.
struct BodyReader {
    private enum Mode {
        case length(remaining: Int)
        case chunked(ChunkedBodyScanner)
        case untilClose
        case done
    }

    private var mode: Mode

    init(_ framing: BodyFraming) {
        switch framing {
        case .none: mode = .done
        case .length(let length): mode = length > 0 ? .length(remaining: length) : .done
        case .chunked: mode = .chunked(ChunkedBodyScanner())
        case .untilClose: mode = .untilClose
        }
    }

    /// Whether the whole body has been taken.
    var isDone: Bool {
        if case .done = mode { return true }
        return false
    }

    /// Whether the body runs until the connection closes.
    var isUntilClose: Bool {
        if case .untilClose = mode { return true }
        return false
    }

    /// Takes the body bytes at the front of `buffer`, leaving whatever follows the body's end there.
    ///
    /// - Returns: the bytes to forward (a slice, not a copy), or `nil` when `buffer` held none.
    /// - Throws: when a chunked body is malformed.
    mutating func take(from buffer: inout ByteBuffer) throws(HTTPMessageError) -> ByteBuffer? {
        let available = buffer.readableBytes
        guard available > 0 else { return nil }
        let count: Int
        switch mode {
        case .done:
            return nil
        case .untilClose:
            count = available
        case .length(let remaining):
            count = min(remaining, available)
            mode = remaining == count ? .done : .length(remaining: remaining - count)
        case .chunked(var scanner):
            let result = buffer.withUnsafeReadableBytes { raw in
                Result { () throws(HTTPMessageError) in try scanner.scan(raw) }
            }
            let (consumed, finished) = try result.get()
            count = consumed
            mode = finished ? .done : .chunked(scanner)
        }
        return count > 0 ? buffer.readSlice(length: count) : nil
    }
}

/// Finds the end of a chunked body (RFC 9112 §7.1) without decoding it: chunk sizes, extensions, data and
/// trailers are stepped over so the bytes can be forwarded as they are.
struct ChunkedBodyScanner {
    private enum State {
        case size(digits: Int)
        case sizeExtension
        case sizeLF
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLineStart
        case trailerLine
        case trailerLF(emptyLine: Bool)
        case done
    }

    /// Longest chunk-size accepted: 15 hex digits cannot overflow an `Int`.
    private static let maxSizeDigits = 15
    /// Longest chunk extensions plus trailer section accepted, against a peer that never ends a line.
    private static let maxMetadataBytes = 64 * 1024

    private var state = State.size(digits: 0)
    private var size = 0
    private var metadataBytes = 0

    /// Steps through `bytes`.
    ///
    /// - Returns: how many bytes belong to the body, and whether its end was reached (then `consumed` may be less
    ///   than `bytes.count`: the rest is the next message).
    mutating func scan(_ bytes: UnsafeRawBufferPointer) throws(HTTPMessageError) -> (consumed: Int, done: Bool) {
        var index = 0
        while index < bytes.count {
            if case .data(let remaining) = state {
                let take = min(remaining, bytes.count - index)
                index += take
                state = remaining == take ? .dataCR : .data(remaining: remaining - take)
                continue
            }
            let byte = bytes[index]
            index += 1
            switch state {
            case .size(let digits):
                if let value = Self.hexValue(byte) {
                    guard digits < Self.maxSizeDigits else { throw HTTPMessageError("chunk size too large") }
                    size = size * 16 + value
                    state = .size(digits: digits + 1)
                } else if digits > 0 && (byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) {
                    state = .sizeExtension
                } else if digits > 0 && byte == UInt8(ascii: "\r") {
                    state = .sizeLF
                } else if digits > 0 && byte == UInt8(ascii: "\n") {
                    endOfSizeLine()
                } else {
                    throw HTTPMessageError("malformed chunk size")
                }
            case .sizeExtension:
                try countMetadata()
                if byte == UInt8(ascii: "\r") {
                    state = .sizeLF
                } else if byte == UInt8(ascii: "\n") {
                    endOfSizeLine()
                }
            case .sizeLF:
                guard byte == UInt8(ascii: "\n") else { throw HTTPMessageError("malformed chunk size line") }
                endOfSizeLine()
            case .dataCR:
                if byte == UInt8(ascii: "\r") {
                    state = .dataLF
                } else if byte == UInt8(ascii: "\n") {
                    state = .size(digits: 0)
                } else {
                    throw HTTPMessageError("chunk data longer than its size")
                }
            case .dataLF:
                guard byte == UInt8(ascii: "\n") else { throw HTTPMessageError("chunk data longer than its size") }
                state = .size(digits: 0)
            case .trailerLineStart:
                if byte == UInt8(ascii: "\r") {
                    state = .trailerLF(emptyLine: true)
                } else if byte == UInt8(ascii: "\n") {
                    state = .done
                    return (index, true)
                } else {
                    try countMetadata()
                    state = .trailerLine
                }
            case .trailerLine:
                try countMetadata()
                if byte == UInt8(ascii: "\r") {
                    state = .trailerLF(emptyLine: false)
                } else if byte == UInt8(ascii: "\n") {
                    state = .trailerLineStart
                }
            case .trailerLF(let emptyLine):
                guard byte == UInt8(ascii: "\n") else { throw HTTPMessageError("malformed trailer section") }
                if emptyLine {
                    state = .done
                    return (index, true)
                }
                state = .trailerLineStart
            case .data, .done:
                return (index - 1, true)
            }
        }
        if case .done = state { return (index, true) }
        return (index, false)
    }

    private mutating func endOfSizeLine() {
        state = size == 0 ? .trailerLineStart : .data(remaining: size)
        size = 0
    }

    private mutating func countMetadata() throws(HTTPMessageError) {
        metadataBytes += 1
        if metadataBytes > Self.maxMetadataBytes { throw HTTPMessageError("chunk extensions or trailers too large") }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
