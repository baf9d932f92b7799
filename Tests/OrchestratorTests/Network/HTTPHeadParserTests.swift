import NIOCore
import Testing

@testable import Orchestrator

@Suite struct HTTPHeadParserTests {
    static func length(_ text: String) -> Int? {
        var scanned = 0
        return HTTPHeadParser.headLength(in: ByteBuffer(string: text), scanned: &scanned)
    }

    @Test func findsTheEndOfAHeadArrivingInPieces() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(Self.length(head + "next") == head.utf8.count)
        #expect(Self.length("GET / HTTP/1.1\nHost: a\n\nbody") == "GET / HTTP/1.1\nHost: a\n\n".utf8.count)
        // Byte by byte, carrying the scan position: found exactly when the last byte arrives.
        var buffer = ByteBuffer()
        var scanned = 0
        for (index, byte) in head.utf8.enumerated() {
            buffer.writeInteger(byte)
            let found = HTTPHeadParser.headLength(in: buffer, scanned: &scanned)
            #expect(found == (index == head.utf8.count - 1 ? head.utf8.count : nil), "after byte \(index)")
        }
    }

    @Test func takesHeadsOffTheBufferWithinTheLimit() throws {
        var storage: [HTTPHead.Field] = []
        var scanned = 0
        var buffer = ByteBuffer(string: "GET /a HTTP/1.1\r\nHost: a\r\n")
        #expect(try HTTPHeadParser.takeHead(from: &buffer, scanned: &scanned, limit: 64, isRequest: true, fieldStorage: &storage) == nil)
        buffer.writeString("\r\nGET /b")
        let head = try #require(
            try HTTPHeadParser.takeHead(from: &buffer, scanned: &scanned, limit: 64, isRequest: true, fieldStorage: &storage))
        #expect(head.target == "/a")
        #expect(String(buffer: buffer) == "GET /b")

        let tooLarge = HTTPMessageError("response head larger than 16 bytes")
        var complete = ByteBuffer(string: "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n")
        scanned = 0
        #expect(throws: tooLarge) {
            try HTTPHeadParser.takeHead(from: &complete, scanned: &scanned, limit: 16, isRequest: false, fieldStorage: &storage)
        }
        var unfinished = ByteBuffer(string: "HTTP/1.1 200 OK\r\nServer: xxxxxxxx")
        scanned = 0
        #expect(throws: tooLarge) {
            try HTTPHeadParser.takeHead(from: &unfinished, scanned: &scanned, limit: 16, isRequest: false, fieldStorage: &storage)
        }
    }

    @Test func parsesARequest() throws {
        let head = try HTTPHeadParser.parseRequest(
            ByteBuffer(
                string: "POST /p?q=1 HTTP/1.1\r\nHost:  Shop.Test:80 \r\nContent-Length: 12\r\nConnection: close, X-A\r\n\r\n"))
        #expect(head.method == "POST")
        #expect(head.target == "/p?q=1")
        #expect(head.minorVersion == 1)
        #expect(head.hostValue == "Shop.Test:80")
        #expect(head.contentLength == 12)
        #expect(head.connectionClose && !head.wantsKeepAlive)
        #expect(head.connectionNames == ["x-a"])
        #expect(try head.requestFraming() == .length(12))
        #expect(head.fields.map(\.kind) == [.host, .contentLength, .connection])
    }

    @Test func keepAliveByVersion() throws {
        #expect(try HTTPHeadParser.parseRequest(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n")).wantsKeepAlive)
        #expect(try !HTTPHeadParser.parseRequest(ByteBuffer(string: "GET / HTTP/1.0\r\n\r\n")).wantsKeepAlive)
        #expect(
            try HTTPHeadParser.parseRequest(ByteBuffer(string: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"))
                .wantsKeepAlive)
    }

    @Test(arguments: [
        ("GET / HTTP/2.0\r\n\r\n", "unsupported HTTP version"),
        ("GET /\r\n\r\n", "malformed request line"),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "malformed header field name"),
        ("GET / HTTP/1.1\r\nX: a\r\n  folded\r\n\r\n", "obsolete line folding in a header field"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "more than one Host header"),
        ("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "conflicting Content-Length values"),
        ("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"),
        ("GET / HTTP/1.1\r\nNoColon\r\n\r\n", "malformed header field"),
    ])
    func refusesMalformedRequests(text: String, reason: String) {
        #expect(throws: HTTPMessageError(reason)) { try HTTPHeadParser.parseRequest(ByteBuffer(string: text)) }
    }

    @Test func requestFramingRefusesSmugglingShapes() throws {
        let both = try HTTPHeadParser.parseRequest(
            ByteBuffer(string: "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"))
        #expect(throws: HTTPMessageError("both Content-Length and Transfer-Encoding are set")) {
            try both.requestFraming()
        }
        let notChunked = try HTTPHeadParser.parseRequest(
            ByteBuffer(string: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"))
        #expect(throws: HTTPMessageError("Transfer-Encoding must end with chunked")) { try notChunked.requestFraming() }
        let chunked = try HTTPHeadParser.parseRequest(
            ByteBuffer(string: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"))
        #expect(try chunked.requestFraming() == .chunked)
    }

    @Test func responseFraming() throws {
        func framing(_ text: String, head: Bool = false) throws -> BodyFraming {
            try HTTPHeadParser.parseResponse(ByteBuffer(string: text)).responseFraming(requestWasHead: head)
        }
        #expect(try framing("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n") == .length(5))
        #expect(try framing("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", head: true) == .none)
        #expect(try framing("HTTP/1.1 204 No Content\r\n\r\n") == .none)
        #expect(try framing("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n") == .none)
        #expect(try framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n") == .chunked)
        #expect(try framing("HTTP/1.1 200 OK\r\n\r\n") == .untilClose)
        #expect(try framing("HTTP/1.0 200\r\n\r\n") == .untilClose)
        let status = try HTTPHeadParser.parseResponse(ByteBuffer(string: "HTTP/1.1 404 Not Found\r\n\r\n"))
        #expect(status.status == 404)
        #expect(status.string(status.startRest) == "404 Not Found")
        #expect(throws: HTTPMessageError("malformed status code")) {
            try HTTPHeadParser.parseResponse(ByteBuffer(string: "HTTP/1.1 2x0 OK\r\n\r\n"))
        }
    }
}

@Suite struct BodyReaderTests {
    /// Feeds `input` to a reader in pieces of `step` bytes and returns the body bytes and what was left after it.
    static func read(_ framing: BodyFraming, _ input: String, step: Int) throws -> (body: String, rest: String, done: Bool) {
        var reader = BodyReader(framing)
        var body = ""
        var rest = ""
        var remaining = ByteBuffer(string: input)
        while remaining.readableBytes > 0 {
            var piece = remaining.readSlice(length: min(step, remaining.readableBytes))!
            if reader.isDone {
                rest += String(buffer: piece)
                continue
            }
            if let bytes = try reader.take(from: &piece) { body += String(buffer: bytes) }
            rest += String(buffer: piece)
        }
        return (body, rest, reader.isDone)
    }

    @Test(arguments: [1, 2, 7, 1000])
    func chunkedBodiesEndWhereTheyEnd(step: Int) throws {
        let chunked = "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n"
        let result = try Self.read(.chunked, chunked + "GET /next", step: step)
        #expect(result.body == chunked)
        #expect(result.rest == "GET /next")
        #expect(result.done)
        let bare = try Self.read(.chunked, "A\nabcdefghij\n0\n\nX", step: step)
        #expect(bare.body == "A\nabcdefghij\n0\n\n")
        #expect(bare.rest == "X")
    }

    @Test func lengthAndUntilClose() throws {
        let fixed = try Self.read(.length(5), "helloGET", step: 3)
        #expect(fixed.body == "hello" && fixed.rest == "GET" && fixed.done)
        let open = try Self.read(.untilClose, "all of it", step: 4)
        #expect(open.body == "all of it" && !open.done)
        #expect(try Self.read(.none, "x", step: 1).rest == "x")
    }

    @Test(arguments: ["zz\r\n", "5\r\nhelloX\r\n", "1234567890123456\r\n", "\r\n"])
    func malformedChunksAreErrors(input: String) {
        #expect(throws: HTTPMessageError.self) { _ = try Self.read(.chunked, input, step: 100) }
    }
}
