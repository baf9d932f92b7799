import Testing

@testable import API

@Suite struct YAMLReaderTests {
    static let limits = YAMLReader.Limits(maximumDepth: 100, maximumAliasNodes: 10_000)

    func read(_ text: String, limits: YAMLReader.Limits = limits) throws(APIError) -> [YAMLDocument] {
        let (documents, problems) = try YAMLReader.read(Array(text.utf8), file: "t.yaml", limits: limits)
        if let first = problems.first { throw first }
        return documents
    }

    @Test(arguments: [
        ("a: yes", Value.bool(true)), ("a: No", .bool(false)), ("a: on", .bool(true)), ("a: OFF", .bool(false)),
        ("a: y", .bool(true)), ("a: n", .bool(false)), ("a: true", .bool(true)), ("a: ~", .null), ("a:", .null),
        ("a: Null", .null), ("a: 42", .int(42)), ("a: -7", .int(-7)), ("a: 0644", .int(420)), ("a: 0x1F", .int(31)),
        ("a: 0o17", .int(15)), ("a: 1_000", .int(1000)), ("a: 08", .double(8)), ("a: 80.0", .double(80)),
        ("a: 1e3", .double(1000)), ("a: .5", .double(0.5)), ("a: \"80\"", .string("80")), ("a: 'yes'", .string("yes")),
        ("a: 25%", .string("25%")), ("a: 1.2.3", .string("1.2.3")), ("a: 2024-01-01", .string("2024-01-01")),
        ("a: !!str 12", .string("12")), ("a: nginx:1.27", .string("nginx:1.27")), ("a: |\n  x\n  y\n", .string("x\ny\n")),
    ])
    func resolvesScalarsLikeKubernetes(text: String, expected: Value) throws {
        let documents = try read(text)
        #expect(documents.first?.value["a"] == expected)
    }

    @Test func booleanKeysBecomeStrings() throws {
        #expect(try read("on: 1\n8: 2").first?.value == ["true": 1, "8": 2])
    }

    @Test func readsMultipleDocumentsAndSkipsEmptyOnes() throws {
        let documents = try read("a: 1\n---\n---\n# comment\n---\nb: 2\n...\n")
        #expect(documents.map(\.value) == [["a": 1], ["b": 2]])
    }

    @Test func recordsLineAndColumnOfKeysAndElements() throws {
        let document = try #require(try read("a:\n  b:\n    - x\n    - c: 1\n").first)
        #expect(document.sourceMap.location(of: "a.b")?.description == "t.yaml:2:3")
        #expect(document.sourceMap.location(of: "a.b[1]")?.description == "t.yaml:4:7")
        #expect(document.sourceMap.location(of: "a.b[1].c")?.description == "t.yaml:4:7")
        #expect(document.sourceMap.location(of: "a.b[1].missing")?.description == "t.yaml:4:7")
        #expect(document.sourceMap.location(of: "a.labels[app.kubernetes.io/name]")?.description == "t.yaml:1:1")
    }

    @Test func bracketsKeysThatAreNotIdentifiers() throws {
        let document = try #require(try read("labels:\n  app.kubernetes.io/name: web\n").first)
        #expect(document.sourceMap.location(of: FieldPath("labels").child("app.kubernetes.io/name"))?.line == 2)
    }

    @Test func duplicateKeysAreReportedAtTheSecondKey() throws {
        let (_, problems) = try YAMLReader.read(Array("a: 1\nb: 2\na: 3\n".utf8), file: "t.yaml", limits: Self.limits)
        #expect(problems.count == 1)
        #expect(problems.first?.code == .duplicateKey)
        #expect(problems.first?.location?.line == 3)
    }

    @Test func supportsAnchorsAliasesAndMergeKeys() throws {
        let text = """
            base: &base {a: 1, b: 2}
            list: &l [x, z]
            copy: *base
            other: *l
            merged:
              <<: *base
              b: 3
            """
        let value = try #require(try read(text).first?.value)
        #expect(value["copy"] == ["a": 1, "b": 2])
        #expect(value["other"] == ["x", "z"])
        #expect(value["merged"] == ["a": 1, "b": 3])
    }

    @Test func refusesBillionLaughs() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        #expect(throws: APIError.self) { try read(text) }
        do { _ = try read(text) } catch { #expect(error.code == .limitExceeded) }
    }

    @Test func refusesDeepNesting() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        do {
            _ = try read(text)
            Issue.record("expected a limit error")
        } catch {
            #expect(error.code == .limitExceeded)
            #expect(error.message.contains("nesting deeper than 100"))
        }
    }

    @Test func tabIndentationIsAClearErrorAtItsLine() {
        do {
            _ = try read("a:\n  b: 1\n\tc: 2\n")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == .syntax)
            #expect(error.location?.line == 3)
            #expect(error.message.contains("tab"))
        }
    }

    @Test func syntaxErrorsCarryTheirLocation() {
        do {
            _ = try read("a: [1, 2\nb: 3\n")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == .syntax)
            #expect(error.location?.file == "t.yaml")
        }
    }

    @Test func readsJSON() throws {
        let value = try #require(try read(#"{"a": [1, 2.5, "x", true, null], "b": {"c": "d"}}"#).first?.value)
        #expect(value == ["a": [1, 2.5, "x", true, nil], "b": ["c": "d"]])
    }

    @Test func infinityIsNotRepresentable() {
        #expect(throws: APIError.self) { try read("a: .inf") }
    }

    /// Where a too-long key starts, in documents where libyaml gives up on it in different ways: a first key
    /// (it reports "mapping values are not allowed"), a key after another at the same indentation (it reports
    /// "could not find expected ':'"), a nested key, a quoted key and a key in a list item.
    static let longKeyDocuments: [(prefix: String, line: Int, column: Int)] = [
        ("", 1, 1), ("a: 1\n", 2, 1), ("a:\n  b: 1\n  ", 3, 3), ("a:\n  ", 2, 3), ("- ", 1, 3), ("- a: 1\n  ", 2, 3),
    ]

    @Test(arguments: longKeyDocuments, [1025, 1 << 20])
    func aKeyOverTheYAMLLimitIsAClearErrorAtTheKey(document: (prefix: String, line: Int, column: Int), length: Int) {
        for quote in ["", "\""] {
            let key = quote + String(repeating: "k", count: length) + quote
            do {
                _ = try read(document.prefix + key + ": value\nlast: 1\n")
                Issue.record("expected an error for a \(length)-character key")
            } catch {
                #expect(error.code == .limitExceeded)
                #expect(error.message.contains("longer than 1024 characters"), "\(error.message)")
                #expect(error.location?.description == "t.yaml:\(document.line):\(document.column)")
            }
        }
    }

    /// Flow mappings (JSON), where libyaml reports "did not find expected ',' or '}'" at the `:`; `K` is the key.
    @Test(arguments: [
        ("{\"K\": 1}", 1, 2), ("{K: 1}", 1, 2), ("{\"a\": 1, \"K\": 2}", 1, 10),
        ("{\n  \"a\": 1,\n  \"K\": 2\n}", 3, 3), ("a: {b: 1, K: 2}", 1, 11),
    ])
    func aKeyOverTheLimitInAFlowMappingIsAClearErrorAtTheKey(template: String, line: Int, column: Int) {
        let text = template.replacingOccurrences(of: "K", with: String(repeating: "k", count: 1100))
        do {
            _ = try read(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .limitExceeded, "\(error)")
            #expect(error.message.contains("longer than 1024 characters"))
            #expect(error.location?.description == "t.yaml:\(line):\(column)")
        }
    }

    @Test func keysUpToTheLimitAndOtherSyntaxErrorsAreUnchanged() throws {
        let key = String(repeating: "k", count: 1000)
        #expect(try read("a: 1\n\(key): v\n").first?.value[key] == "v")
        do {
            _ = try read("a: b: c\n")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == .syntax)
            #expect(error.message.contains("mapping values are not allowed"))
        }
        #expect(try read("{\"\(key)\": 1}").first?.value[key] == 1)
        do {
            _ = try read("{\"a\" 1}")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == .syntax)
        }
        do {
            _ = try read("a: 1\n" + String(repeating: "x", count: 2000) + "\n")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == .syntax)
            #expect(error.message.contains("could not find expected ':'"))
        }
    }
}
