import Glibc
import NIOCore

/// Why an HTTP/1.x message head or body framing was refused; the reason goes into the 400 or 502 body.
struct HTTPMessageError: Error, Equatable, CustomStringConvertible {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    var description: String { reason }
}

/// One parsed HTTP/1.x message head (request or response) as the Ingress proxy needs it.
///
/// The proxy forwards bytes rather than re-encoding messages, so a head keeps the bytes it was parsed from and
/// refers to its parts by offset. Parsing allocates only the field list; strings are made only for what routing
/// reads (host, target). The fields that decide framing and connection handling are classified once here, so
/// rewriting a head for the next hop is a copy of byte ranges.
struct HTTPHead {
    /// The header fields gitopsd acts on; every other field is `.other` and passes through untouched.
    enum FieldKind: UInt8 {
        case other, host, contentLength, transferEncoding, connection, keepAlive, proxyConnection, te, trailer, upgrade
        case xForwardedFor, xForwardedProto, xForwardedHost

        /// Fields that describe one connection only (RFC 9110 §7.6.1) and never cross the proxy.
        /// `Transfer-Encoding` is not among them: bodies are forwarded in the framing they arrived in.
        var isHopByHop: Bool {
            switch self {
            case .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade: true
            default: false
            }
        }
    }

    struct Field {
        var kind: FieldKind
        /// `name: value` as received, from the name's first byte to the value's last (optional whitespace trimmed).
        var line: Range<Int>
        var name: Range<Int>
        var value: Range<Int>
    }

    enum TransferCoding: Equatable {
        case none
        /// `chunked` is the final coding.
        case chunked
        /// Some other final coding: the length cannot be known from the head.
        case other
    }

    /// The head from its start line through the empty line that ends it; offsets below index into it.
    var bytes: ByteBuffer
    /// Request: method. Response: the protocol version.
    var startFirst: Range<Int>
    /// Request: the target. Response: the status code, then the reason phrase to the end of the line.
    var startRest: Range<Int>
    /// The `x` of `HTTP/1.x`.
    var minorVersion: Int
    /// Response status code; 0 for requests.
    var status: Int = 0
    var fields: [Field] = []
    var contentLength: Int?
    var transferCoding = TransferCoding.none
    var connectionClose = false
    var connectionKeepAlive = false
    var connectionUpgrade = false
    /// Other `Connection` tokens, lower-cased: names of further hop-by-hop fields.
    var connectionNames: [String] = []
    var host: Range<Int>?
    var upgrade: Range<Int>?

    func string(_ range: Range<Int>) -> String {
        bytes.getString(at: bytes.readerIndex + range.lowerBound, length: range.count) ?? ""
    }

    /// The request method (requests only).
    var method: String { string(startFirst) }
    /// The request target as received (requests only).
    var target: String { string(startRest) }
    var isHeadRequest: Bool { startFirst.count == 4 && method == "HEAD" }
    var hostValue: String? { host.map(string) }

    /// Whether the sender wants the connection kept open after this message (RFC 9112 §9.3).
    var wantsKeepAlive: Bool {
        minorVersion >= 1 ? !connectionClose : connectionKeepAlive && !connectionClose
    }

    /// Whether the field at `index` must not be forwarded because a `Connection` token names it.
    func isNamedByConnection(_ field: Field) -> Bool {
        guard !connectionNames.isEmpty else { return false }
        let name = string(field.name).lowercased()
        return connectionNames.contains(name)
    }

    /// How a request's body is delimited (RFC 9112 §6.3), or why it cannot be known safely.
    func requestFraming() throws(HTTPMessageError) -> BodyFraming {
        switch transferCoding {
        case .chunked:
            // Both is the classic request-smuggling shape; refuse rather than guess which one the upstream uses.
            if contentLength != nil { throw HTTPMessageError("both Content-Length and Transfer-Encoding are set") }
            return .chunked
        case .other:
            throw HTTPMessageError("Transfer-Encoding must end with chunked")
        case .none:
            if let contentLength, contentLength > 0 { return .length(contentLength) }
            return .none
        }
    }

    /// How a response's body is delimited (RFC 9112 §6.3).
    func responseFraming(requestWasHead: Bool) -> BodyFraming {
        if requestWasHead || status / 100 == 1 || status == 204 || status == 304 { return .none }
        switch transferCoding {
        case .chunked: return .chunked
        case .other: return .untilClose
        case .none:
            guard let contentLength else { return .untilClose }
            return contentLength > 0 ? .length(contentLength) : .none
        }
    }
}

/// Parses HTTP/1.x heads from bytes. Pure functions, tested without sockets.
enum HTTPHeadParser {
    /// The length of the head at the front of `buffer` (through its empty line), or `nil` when it has not fully
    /// arrived. `scanned` carries how far earlier calls looked, so a head arriving in pieces is scanned once.
    /// Lines may end in CRLF or a bare LF.
    static func headLength(in buffer: ByteBuffer, scanned: inout Int) -> Int? {
        buffer.withUnsafeReadableBytes { raw -> Int? in
            let count = raw.count
            var index = scanned
            while index < count {
                guard let lineFeed = lineFeed(in: raw, from: index) else { break }
                index = lineFeed
                if index + 1 < count && raw[index + 1] == UInt8(ascii: "\n") { return index + 2 }
                if index + 2 < count && raw[index + 1] == UInt8(ascii: "\r") && raw[index + 2] == UInt8(ascii: "\n") {
                    return index + 3
                }
                if index + 2 >= count {
                    // The line ending may continue in bytes not received yet: look at this LF again next time.
                    scanned = index
                    return nil
                }
                index += 1
            }
            scanned = count
            return nil
        }
    }

    /// Takes the next head off the front of `buffer` and parses it, or returns `nil` while it has not fully
    /// arrived. `scanned` carries the search position between calls (see ``headLength(in:scanned:)``) and
    /// `fieldStorage` the re-used field list (see ``parse(_:isRequest:fieldStorage:)``).
    ///
    /// - Throws: when the head is larger than `limit` bytes (or has grown past it unfinished), or is malformed.
    static func takeHead(
        from buffer: inout ByteBuffer, scanned: inout Int, limit: Int, isRequest: Bool,
        fieldStorage: inout [HTTPHead.Field]
    ) throws(HTTPMessageError) -> HTTPHead? {
        let tooLarge = HTTPMessageError("\(isRequest ? "request" : "response") head larger than \(limit) bytes")
        guard let length = headLength(in: buffer, scanned: &scanned) else {
            if buffer.readableBytes > limit { throw tooLarge }
            return nil
        }
        scanned = 0
        guard length <= limit else { throw tooLarge }
        guard let bytes = buffer.readSlice(length: length) else { return nil }
        return try parse(bytes, isRequest: isRequest, fieldStorage: &fieldStorage)
    }

    static func parseRequest(_ bytes: ByteBuffer) throws(HTTPMessageError) -> HTTPHead {
        var storage: [HTTPHead.Field] = []
        return try parse(bytes, isRequest: true, fieldStorage: &storage)
    }

    static func parseResponse(_ bytes: ByteBuffer) throws(HTTPMessageError) -> HTTPHead {
        var storage: [HTTPHead.Field] = []
        return try parse(bytes, isRequest: false, fieldStorage: &storage)
    }

    /// Parses a head into a field list taken from `fieldStorage`.
    ///
    /// A connection parses a head per message; handing the previous head's `fields` back as `fieldStorage`
    /// (once that head is no longer used) re-uses its memory instead of allocating a list each time.
    static func parse(
        _ bytes: ByteBuffer, isRequest: Bool, fieldStorage: inout [HTTPHead.Field]
    ) throws(HTTPMessageError) -> HTTPHead {
        fieldStorage.removeAll(keepingCapacity: true)
        let result = bytes.withUnsafeReadableBytes { raw -> Result<HTTPHead, HTTPMessageError> in
            do throws(HTTPMessageError) {
                return .success(try parse(raw, bytes: bytes, isRequest: isRequest, fields: &fieldStorage))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func parse(
        _ raw: UnsafeRawBufferPointer, bytes: ByteBuffer, isRequest: Bool, fields: inout [HTTPHead.Field]
    ) throws(HTTPMessageError) -> HTTPHead {
        var position = 0
        guard let startLine = nextLine(raw, from: &position), !startLine.isEmpty else {
            throw HTTPMessageError("missing start line")
        }
        var head: HTTPHead
        if isRequest {
            head = try requestLine(raw, startLine, bytes: bytes)
        } else {
            head = try statusLine(raw, startLine, bytes: bytes)
        }
        // Moved, not copied: the list stays uniquely owned, so appending to it does not allocate.
        swap(&head.fields, &fields)
        while let line = nextLine(raw, from: &position), !line.isEmpty {
            try field(raw, line, into: &head, isRequest: isRequest)
        }
        return head
    }

    /// The index of the next LF at or after `start` (memchr: heads are scanned twice per message).
    private static func lineFeed(in raw: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < raw.count, let base = raw.baseAddress,
            let found = memchr(base + start, Int32(UInt8(ascii: "\n")), raw.count - start)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// The next line's range without its line ending, advancing `position` past it; `nil` at the end.
    private static func nextLine(_ raw: UnsafeRawBufferPointer, from position: inout Int) -> Range<Int>? {
        let start = position
        guard let index = lineFeed(in: raw, from: start) else { return nil }
        position = index + 1
        let end = index > start && raw[index - 1] == UInt8(ascii: "\r") ? index - 1 : index
        return start..<end
    }

    private static func requestLine(
        _ raw: UnsafeRawBufferPointer, _ line: Range<Int>, bytes: ByteBuffer
    ) throws(HTTPMessageError) -> HTTPHead {
        guard let firstSpace = (line).first(where: { raw[$0] == UInt8(ascii: " ") }), firstSpace > line.lowerBound,
            let secondSpace = (firstSpace + 1..<line.upperBound).first(where: { raw[$0] == UInt8(ascii: " ") }),
            secondSpace > firstSpace + 1
        else {
            throw HTTPMessageError("malformed request line")
        }
        let method = line.lowerBound..<firstSpace
        guard method.allSatisfy({ isTokenByte(raw[$0]) }) else { throw HTTPMessageError("malformed method") }
        let target = firstSpace + 1..<secondSpace
        guard target.allSatisfy({ raw[$0] > 0x20 && raw[$0] < 0x7F }) else {
            throw HTTPMessageError("malformed request target")
        }
        let minor = try version(raw, secondSpace + 1..<line.upperBound)
        return HTTPHead(bytes: bytes, startFirst: method, startRest: target, minorVersion: minor)
    }

    private static func statusLine(
        _ raw: UnsafeRawBufferPointer, _ line: Range<Int>, bytes: ByteBuffer
    ) throws(HTTPMessageError) -> HTTPHead {
        // HTTP/1.1 200[ reason]
        guard line.count >= 12, raw[line.lowerBound + 8] == UInt8(ascii: " ") else {
            throw HTTPMessageError("malformed status line")
        }
        let minor = try version(raw, line.lowerBound..<line.lowerBound + 8)
        var status = 0
        for index in line.lowerBound + 9..<line.lowerBound + 12 {
            let byte = raw[index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                throw HTTPMessageError("malformed status code")
            }
            status = status * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard status >= 100, line.count == 12 || raw[line.lowerBound + 12] == UInt8(ascii: " ") else {
            throw HTTPMessageError("malformed status line")
        }
        var head = HTTPHead(
            bytes: bytes, startFirst: line.lowerBound..<line.lowerBound + 8, startRest: line.lowerBound + 9..<line.upperBound,
            minorVersion: minor)
        head.status = status
        return head
    }

    private static func version(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) throws(HTTPMessageError) -> Int {
        let prefix: StaticString = "HTTP/1."
        guard range.count == 8 else { throw HTTPMessageError("unsupported HTTP version") }
        for offset in 0..<7 where raw[range.lowerBound + offset] != prefix.utf8Start[offset] {
            throw HTTPMessageError("unsupported HTTP version")
        }
        let minor = raw[range.lowerBound + 7]
        guard minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1") else {
            throw HTTPMessageError("unsupported HTTP version")
        }
        return Int(minor - UInt8(ascii: "0"))
    }

    private static func field(
        _ raw: UnsafeRawBufferPointer, _ line: Range<Int>, into head: inout HTTPHead, isRequest: Bool
    ) throws(HTTPMessageError) {
        let first = raw[line.lowerBound]
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            throw HTTPMessageError("obsolete line folding in a header field")
        }
        var colon = line.lowerBound
        while colon < line.upperBound && raw[colon] != UInt8(ascii: ":") {
            // A space before the colon is how smuggling attacks split one field two ways (RFC 9112 §5.1).
            guard isTokenByte(raw[colon]) else { throw HTTPMessageError("malformed header field name") }
            colon += 1
        }
        guard colon < line.upperBound, colon > line.lowerBound else {
            throw HTTPMessageError("malformed header field")
        }
        var valueStart = colon + 1
        var valueEnd = line.upperBound
        while valueStart < valueEnd && isWhitespace(raw[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && isWhitespace(raw[valueEnd - 1]) { valueEnd -= 1 }
        for index in valueStart..<valueEnd where raw[index] == 0 || raw[index] == UInt8(ascii: "\r") {
            throw HTTPMessageError("invalid character in a header field value")
        }
        let name = line.lowerBound..<colon
        let value = valueStart..<valueEnd
        let kind = kind(of: raw, name)
        head.fields.append(HTTPHead.Field(kind: kind, line: line.lowerBound..<valueEnd, name: name, value: value))
        switch kind {
        case .host:
            if isRequest && head.host != nil { throw HTTPMessageError("more than one Host header") }
            head.host = value
        case .contentLength:
            let length = try contentLength(raw, value)
            if let existing = head.contentLength, existing != length {
                throw HTTPMessageError("conflicting Content-Length values")
            }
            head.contentLength = length
        case .transferEncoding:
            head.transferCoding = lastToken(raw, value).map { equalsLowercased(raw, $0, "chunked") } == true ? .chunked : .other
        case .connection:
            forEachToken(raw, value) { token in
                if equalsLowercased(raw, token, "close") {
                    head.connectionClose = true
                } else if equalsLowercased(raw, token, "keep-alive") {
                    head.connectionKeepAlive = true
                } else if equalsLowercased(raw, token, "upgrade") {
                    head.connectionUpgrade = true
                } else {
                    head.connectionNames.append(head.string(token).lowercased())
                }
            }
        case .upgrade:
            head.upgrade = value
        default:
            break
        }
    }

    private static func kind(of raw: UnsafeRawBufferPointer, _ name: Range<Int>) -> HTTPHead.FieldKind {
        switch name.count {
        case 2 where equalsLowercased(raw, name, "te"): .te
        case 4 where equalsLowercased(raw, name, "host"): .host
        case 7 where equalsLowercased(raw, name, "upgrade"): .upgrade
        case 7 where equalsLowercased(raw, name, "trailer"): .trailer
        case 10 where equalsLowercased(raw, name, "connection"): .connection
        case 10 where equalsLowercased(raw, name, "keep-alive"): .keepAlive
        case 14 where equalsLowercased(raw, name, "content-length"): .contentLength
        case 15 where equalsLowercased(raw, name, "x-forwarded-for"): .xForwardedFor
        case 16 where equalsLowercased(raw, name, "proxy-connection"): .proxyConnection
        case 16 where equalsLowercased(raw, name, "x-forwarded-host"): .xForwardedHost
        case 17 where equalsLowercased(raw, name, "transfer-encoding"): .transferEncoding
        case 17 where equalsLowercased(raw, name, "x-forwarded-proto"): .xForwardedProto
        default: .other
        }
    }

    private static func contentLength(_ raw: UnsafeRawBufferPointer, _ value: Range<Int>) throws(HTTPMessageError) -> Int {
        // A list of identical values (`5, 5`) is allowed by RFC 9110 §8.6; anything else is refused.
        var length: Int?
        var failed = false
        forEachToken(raw, value) { token in
            var number = 0
            guard !token.isEmpty, token.count <= 18 else {
                failed = true
                return
            }
            for index in token {
                let byte = raw[index]
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                    failed = true
                    return
                }
                number = number * 10 + Int(byte - UInt8(ascii: "0"))
            }
            if let length, length != number { failed = true }
            length = number
        }
        guard !failed, let length else { throw HTTPMessageError("invalid Content-Length") }
        return length
    }

    /// Calls `body` with each comma-separated, whitespace-trimmed, non-empty element of a list value.
    private static func forEachToken(
        _ raw: UnsafeRawBufferPointer, _ value: Range<Int>, _ body: (Range<Int>) -> Void
    ) {
        var start = value.lowerBound
        while start <= value.upperBound {
            var end = start
            while end < value.upperBound && raw[end] != UInt8(ascii: ",") { end += 1 }
            var tokenStart = start
            var tokenEnd = end
            while tokenStart < tokenEnd && isWhitespace(raw[tokenStart]) { tokenStart += 1 }
            while tokenEnd > tokenStart && isWhitespace(raw[tokenEnd - 1]) { tokenEnd -= 1 }
            if tokenStart < tokenEnd { body(tokenStart..<tokenEnd) }
            start = end + 1
        }
    }

    private static func lastToken(_ raw: UnsafeRawBufferPointer, _ value: Range<Int>) -> Range<Int>? {
        var last: Range<Int>?
        forEachToken(raw, value) { last = $0 }
        return last
    }

    /// Case-insensitive comparison with a lower-case ASCII name.
    private static func equalsLowercased(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>, _ name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for offset in 0..<range.count {
            var byte = raw[range.lowerBound + offset]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != expected[offset] { return false }
        }
        return true
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// `tchar` of RFC 9110 §5.6.2.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
