import API
import Foundation
import TestSupport
import Testing

/// `gitopsd build`: what a directory or a commit renders to, as a user pipes it to kubectl.
@Suite struct BuildCommandTests {
    static let app = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: web:1}]}
        """

    @Test func printsADirectoryAndACommitInApplyOrderLeavingOutIgnoredFiles() async throws {
        let repository = try TemporaryGitRepository()
        try repository.write("deploy/web.yaml", Self.app)
        try repository.write("deploy/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
        try repository.write("deploy/Chart.yaml", "name: web\n")
        try repository.write("deploy/.gitopsdignore", "Chart.yaml\n")
        _ = try repository.commit("app")
        let fromDisk = try await ProcessRunner.gitopsdDetached(["build", repository.path + "/deploy"])
        #expect(fromDisk.status == 0, "\(fromDisk.standardError)")
        let documents = try Value.documents(yaml: Array(fromDisk.standardOutput.utf8), file: "out")
        #expect(documents.map { $0["kind"]?.stringValue } == ["Namespace", "Deployment"])
        #expect(documents.last?[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "web:1")
        let fromGit = try await ProcessRunner.gitopsdDetached(["build", "--repo", repository.path, "--path", "deploy"])
        #expect(fromGit.status == 0, "\(fromGit.standardError)")
        #expect(fromGit.standardOutput == fromDisk.standardOutput)
    }

    @Test func anInvalidManifestIsReportedWithItsLocationAndPrintsNothing() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("web.yaml", Self.app.replacingOccurrences(of: "image: web:1", with: "image: 7"))
        let result = try await ProcessRunner.gitopsdDetached(["build", directory.path])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("web.yaml:8:"))
    }
}
