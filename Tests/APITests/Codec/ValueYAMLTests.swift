import Testing

@testable import API

@Suite struct ValueYAMLTests {
    @Test func emitsKubernetesStyleBlockYAMLThatReadsBack() throws {
        let value: Value = [
            "metadata": ["name": "web", "labels": ["app": "web"]],
            "spec": ["ports": [["port": 80, "name": "http"]], "empty": [:], "list": []],
            "strings": ["true", "80", "", "a: b", "- x", "plain", "multi\nline", "null", "#x"],
            "n": nil, "d": 2.5,
        ]
        let text = value.yamlString
        #expect(text.contains("spec:\n  empty: {}\n  list: []\n  ports:\n  - name: http\n    port: 80\n"))
        let reread = try YAMLReader.read(Array(text.utf8), file: "x", limits: .init(maximumDepth: 50, maximumAliasNodes: 10))
        #expect(reread.documents.first?.value == value)
    }
}
