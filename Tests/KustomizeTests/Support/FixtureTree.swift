import Testing
import Foundation
import TestSupport

/// A test tree: files by path, written to a temporary directory at test time.
struct FixtureTree: Sendable, CustomTestStringConvertible {
    var name: String
    var files: [String: String]
    /// The kustomization to render, relative to the root.
    var directory: String = ""

    var testDescription: String { name }

    /// Writes the files into a fresh temporary directory (removed when the returned value is released).
    func write() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "kustomize-fixture")
        for (path, text) in files { try directory.write(path, text) }
        return directory
    }
}
