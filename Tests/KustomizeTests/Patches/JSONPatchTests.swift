import API
import Testing

@testable import Kustomize

@Suite struct JSONPatchTests {
    func apply(_ operations: Value, to document: Value) throws(KustomizeError) -> Value {
        try JSONPatch(operations, file: "p.yaml", location: nil).apply(to: document, location: nil, object: "X/x")
    }

    @Test func appliesOperationsInOrderWithEscapedPointers() throws {
        let result = try apply(
            [
                ["op": "add", "path": "/a~1b", "value": 1], ["op": "add", "path": "/list/0", "value": "first"],
                ["op": "add", "path": "/list/-", "value": "last"], ["op": "move", "from": "/m", "path": "/n"],
                ["op": "copy", "from": "/n", "path": "/o"], ["op": "remove", "path": "/list/1"],
                ["op": "test", "path": "/o", "value": "moved"],
            ],
            to: ["list": ["middle"], "m": "moved"])
        #expect(result == ["a/b": 1, "list": ["first", "last"], "n": "moved", "o": "moved"])
    }

    @Test func failsOnMissingPathsAndFailedTests() {
        #expect(throws: KustomizeError.self) { try apply([["op": "remove", "path": "/x"]], to: [:]) }
        #expect(throws: KustomizeError.self) { try apply([["op": "add", "path": "/x/y", "value": 1]], to: [:]) }
        #expect(throws: KustomizeError.self) { try apply([["op": "test", "path": "/x", "value": 1]], to: ["x": 2]) }
        #expect(throws: KustomizeError.self) { try apply([["op": "frobnicate", "path": "/x"]], to: [:]) }
    }
}
