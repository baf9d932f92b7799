import Kustomize
import Testing

@Suite struct InMemoryFileTreeTests {
    let tree = InMemoryFileTree(texts: ["./a/b/c.yaml": "x", "a/d.yaml": "yy", "/top.yaml": "z"])

    @Test func directoriesAreImpliedByFilePaths() throws {
        #expect(tree.isDirectory(""))
        #expect(tree.isDirectory("a"))
        #expect(tree.isDirectory("a/b"))
        #expect(!tree.isDirectory("a/d.yaml"))
        #expect(!tree.isDirectory("missing"))
        #expect(try tree.entries(in: "") == ["a", "top.yaml"])
        #expect(try tree.entries(in: "a") == ["b", "d.yaml"])
    }

    @Test func readsWithinTheLimitOnly() throws {
        #expect(try tree.read("a/d.yaml", limit: 2) == Array("yy".utf8))
        let error = #expect(throws: KustomizeError.self) { try tree.read("a/d.yaml", limit: 1) }
        #expect(error?.code == .syntax)
        #expect((#expect(throws: KustomizeError.self) { try tree.read("nope", limit: 10) })?.code == .notFound)
    }
}
