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

/// Trees the real Kustomize refuses must be refused here too, with an error that says where.
@Suite struct DifferentialFailureTests {
    @Test(arguments: FailureTrees.all)
    func refusesLikeKubectl(_ failure: FailureTrees.Case) throws {
        let directory = try failure.tree.write()
        if case .objects = try KubectlKustomize.render(root: directory.path, directory: failure.tree.directory) {
            Issue.record("kubectl kustomize accepted \(failure.tree.name); the case is wrong")
        }
        let error = #expect(throws: KustomizeError.self) {
            try KustomizeRenderer.render(directory: failure.tree.directory, in: InMemoryFileTree(texts: failure.tree.files))
        }
        #expect(error?.code == failure.code, "\(error.map(String.init(describing:)) ?? "no error")")
        #expect(error?.location?.description == failure.location, "\(error.map(String.init(describing:)) ?? "no error")")
    }
}
