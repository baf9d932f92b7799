import API
import Testing

@testable import Kustomize

/// Hash suffixes kubectl kustomize v5.5 printed for these objects (the differential tests check many more).
@Suite struct ContentHashTests {
    @Test(arguments: [
        (["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "empty"]] as Value, "6ct58987ht"),
        (["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "one"], "data": ["a": "1"]] as Value, "h29d89cmmt"),
        (["kind": "ConfigMap", "metadata": ["name": "p-cfg"], "data": ["a": "1", "b": "<x>&"]] as Value, "2g9cdmkbf2"),
        (["kind": "Secret", "metadata": ["name": "sec"], "type": "Opaque", "data": ["k": "dg=="]] as Value, "ftgtgc4t9f"),
    ])
    func matchesKustomize(_ object: Value, _ suffix: String) {
        #expect(ContentHash.suffix(for: object) == suffix)
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array(String(repeating: "a", count: 1000).utf8)
        #expect(SHA256.hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
