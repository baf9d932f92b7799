import GitSource
import Testing

@Suite("SourceFile: which names are manifests")
struct SourceFileTests {
    @Test(
        "reads .yaml, .yml and .json in any case, as lower-casing the whole name would",
        arguments: [
            ("app.yaml", true), ("APP.YAML", true), ("x.Yml", true), ("c.JSON", true), (".yaml", true),
            ("a.yaml.bak", false), ("yaml", false), ("a.yam", false), ("a.jsonl", false), ("", false),
            ("é.yaml", true), ("É.YAML", true), ("a.yaml\u{301}", false), ("\u{600}.yaml", false), ("ｙ.json", true),
        ])
    func manifestNames(name: String, expected: Bool) {
        #expect(SourceFile.isManifestName(name) == expected)
        let lower = name.lowercased()
        #expect(expected == (lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json")))
    }
}
