import API
import Foundation
import TestSupport

/// Runs the real Kustomize (`kubectl kustomize`) on a tree written to a temporary directory: the oracle the
/// differential tests compare our renderer with.
enum KubectlKustomize {
    /// The kubectl on `PATH`, or `nil`.
    static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/kubectl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// What kubectl said: the objects, or the error text.
    enum Outcome {
        case objects([Value])
        case failure(String)
    }

    /// Renders `directory` inside `root` with kubectl.
    static func render(root: String, directory: String) throws -> Outcome {
        guard let kubectl = executable else {
            throw KubectlMissing()
        }
        let target = directory.isEmpty ? root : root + "/" + directory
        let result = try ProcessRunner.run(kubectl, ["kustomize", target])
        guard result.status == 0 else { return .failure(result.standardError) }
        return .objects(try Value.documents(yaml: Array(result.standardOutput.utf8), file: "kubectl-output").filter { $0 != .null })
    }

    struct KubectlMissing: Error, CustomStringConvertible {
        var description: String {
            "kubectl is not on PATH: install kubectl 1.32 or later (it embeds kustomize v5) to run the differential tests"
        }
    }
}

/// Objects in a canonical order, so two renders compare regardless of document order.
enum CanonicalObjects {
    static func key(_ value: Value) -> String {
        let kind = value["kind"]?.stringValue ?? ""
        let namespace = value[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let name = value[path: ["metadata", "name"]]?.stringValue ?? ""
        return "\(kind)/\(namespace)/\(name)"
    }

    static func sorted(_ values: [Value]) -> [Value] {
        values.sorted { key($0) < key($1) }
    }

    /// `nil` when equal; otherwise a readable account of the first differences.
    static func difference(expected: [Value], actual: [Value]) -> String? {
        let expectedByKey = Dictionary(expected.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let actualByKey = Dictionary(actual.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        if expected.count != actual.count { problems.append("kubectl rendered \(expected.count) objects, we rendered \(actual.count)") }
        for key in Set(expectedByKey.keys).union(actualByKey.keys).sorted() {
            switch (expectedByKey[key], actualByKey[key]) {
            case (let want?, let got?) where want != got:
                problems.append("\(key) differs\n--- kubectl\n\(want.yamlString)--- ours\n\(got.yamlString)")
            case (_?, nil): problems.append("\(key) missing from ours")
            case (nil, _?): problems.append("\(key) only in ours")
            default: break
            }
        }
        return problems.isEmpty ? nil : problems.joined(separator: "\n")
    }
}
