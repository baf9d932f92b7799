import Foundation
import Kustomize
import TestSupport
import Testing

@Suite struct DirectoryFileTreeTests {
    @Test func readsFilesAndListsDirectories() throws {
        let directory = try TemporaryDirectory(prefix: "kustomize-tree")
        try directory.write("base/kustomization.yaml", "resources: []\n")
        let tree = try DirectoryFileTree(root: directory.path)
        #expect(tree.isDirectory("base"))
        #expect(tree.isFile("base/kustomization.yaml"))
        #expect(try tree.entries(in: "base") == ["kustomization.yaml"])
        #expect(try tree.read("base/kustomization.yaml", limit: 100) == Array("resources: []\n".utf8))
    }

    @Test func refusesSymbolicLinksThatLeaveTheRoot() throws {
        let outside = try TemporaryDirectory(prefix: "kustomize-outside")
        try outside.write("secret.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stolen}\n")
        let directory = try TemporaryDirectory(prefix: "kustomize-tree")
        try directory.write("kustomization.yaml", "resources: [link.yaml]\n")
        try FileManager.default.createSymbolicLink(atPath: directory.appending("link.yaml"), withDestinationPath: outside.appending("secret.yaml"))
        let tree = try DirectoryFileTree(root: directory.path)
        let error = #expect(throws: KustomizeError.self) { try tree.read("link.yaml", limit: 1000) }
        #expect(error?.code == .outsideRoot)
        #expect(throws: KustomizeError.self) { try KustomizeRenderer.render(directory: "", in: tree) }
    }

    @Test func followsSymbolicLinksInsideTheRoot() throws {
        let directory = try TemporaryDirectory(prefix: "kustomize-tree")
        try directory.write("real.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: real}\n")
        try directory.write("kustomization.yaml", "resources: [link.yaml]\n")
        try FileManager.default.createSymbolicLink(atPath: directory.appending("link.yaml"), withDestinationPath: directory.appending("real.yaml"))
        let objects = try KustomizeRenderer.render(directory: "", in: DirectoryFileTree(root: directory.path))
        #expect(objects.map { $0.value[path: ["metadata", "name"]] } == ["real"])
    }
}
