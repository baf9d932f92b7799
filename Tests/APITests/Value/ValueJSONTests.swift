import Testing

@testable import API

@Suite struct ValueJSONTests {
    @Test func encodesWithSortedKeysSoEqualValuesGiveEqualBytes() {
        let a: Value = ["b": 1, "a": ["z": true, "y": nil], "c": "x"]
        let b: Value = ["c": "x", "a": ["y": nil, "z": true], "b": 1]
        #expect(a.jsonString == #"{"a":{"y":null,"z":true},"b":1,"c":"x"}"#)
        #expect(a.jsonBytes == b.jsonBytes)
    }

    @Test(arguments: [
        (#"{"a":[1,2.5,"x",true,false,null]}"#, Value.object(["a": [1, 2.5, "x", true, false, nil]])),
        (#""tab\tquote\"slash\/u\u00e9\ud83d\ude00""#, Value.string("tab\tquote\"slash/ué😀")),
        (#"-0.5e2"#, Value.double(-50)),
        (#"9223372036854775807"#, Value.int(Int64.max)),
        (#"  [ ]  "#, Value.array([])),
    ])
    func parses(text: String, expected: Value) throws {
        #expect(try Value(json: text) == expected)
    }

    @Test func roundTripsControlCharactersAndUnicode() throws {
        let value: Value = ["k\u{1}": "line\nbreak\u{7f} ü 日本"]
        #expect(try Value(json: value.jsonBytes) == value)
    }

    @Test(arguments: [
        ("{\"a\":1,}", 1, 8),
        ("{\n  \"a\": tru\n}", 2, 8),
        ("[1 2]", 1, 4),
        ("\"unterminated", 1, 14),
        ("{\"a\":1}x", 1, 8),
        ("01", 1, 2),
    ])
    func reportsSyntaxErrorsWithLineAndColumn(text: String, line: Int, column: Int) {
        #expect {
            try Value(json: text, file: "x.json")
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.code == .syntax && error.location == SourceLocation(file: "x.json", line: line, column: column)
        }
    }

    @Test func refusesDuplicateKeys() {
        #expect(throws: APIError.self) { try Value(json: #"{"a":1,"a":2}"#) }
    }

    @Test func refusesHostileNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect {
            try Value(json: deep)
        } throws: { error in
            (error as? APIError)?.code == .limitExceeded
        }
    }

    @Test func pathSubscriptReadsAndWritesNestedMembers() {
        var value: Value = ["metadata": ["name": "web"]]
        value[path: ["metadata", "labels", "app"]] = "web"
        #expect(value[path: ["metadata", "labels"]]?.stringMap == ["app": "web"])
        value[path: ["metadata", "labels", "app"]] = nil
        #expect(value[path: ["metadata", "labels"]] == nil)
        #expect(value[path: ["metadata", "name"]]?.stringValue == "web")
    }
}
