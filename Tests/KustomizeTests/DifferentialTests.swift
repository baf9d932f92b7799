import API
import Foundation
import Kustomize
import TestSupport
import Testing

/// The proof that our renderer is Kustomize: each tree is rendered by `kubectl kustomize` and by us, from
/// disk and from memory, and the objects must be equal (document order aside).
@Suite struct DifferentialTests {
    @Test(arguments: DifferentialTrees.all)
    func rendersLikeKubectl(_ fixture: FixtureTree) throws {
        let directory = try fixture.write()
        let expected: [Value]
        switch try KubectlKustomize.render(root: directory.path, directory: fixture.directory) {
        case .objects(let objects): expected = objects
        case .failure(let message):
            Issue.record("kubectl kustomize failed on \(fixture.name): \(message)")
            return
        }
        let fromDisk = try KustomizeRenderer.render(directory: fixture.directory, in: DirectoryFileTree(root: directory.path))
        let fromMemory = try KustomizeRenderer.render(directory: fixture.directory, in: InMemoryFileTree(texts: fixture.files))
        let difference = CanonicalObjects.difference(expected: CanonicalObjects.sorted(expected), actual: CanonicalObjects.sorted(fromDisk.map(\.value)))
        #expect(difference == nil, "\(fixture.name): \(difference ?? "")")
        #expect(fromDisk.map(\.value) == fromMemory.map(\.value))
    }
}
