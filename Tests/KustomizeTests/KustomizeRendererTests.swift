import API
import Kustomize
import Testing

/// What gitopsd refuses on purpose, where kubectl kustomize would go on (the network, files outside the
/// repository, fields it does not implement), and the shape of the public API.
@Suite struct KustomizeRendererTests {
    func render(_ files: [String: String], _ directory: String = "") throws(KustomizeError) -> [RenderedObject] {
        try KustomizeRenderer.render(directory: directory, in: InMemoryFileTree(texts: files))
    }

    func failure(_ files: [String: String], _ directory: String = "") -> KustomizeError? {
        #expect(throws: KustomizeError.self) { try render(files, directory) }
    }

    @Test func knowsAKustomizationByItsFile() {
        let tree = InMemoryFileTree(texts: ["a/kustomization.yml": "", "b/Kustomization": "", "c/x.yaml": ""])
        #expect(KustomizeRenderer.isKustomization(directory: "a", in: tree))
        #expect(KustomizeRenderer.isKustomization(directory: "b/", in: tree))
        #expect(!KustomizeRenderer.isKustomization(directory: "c", in: tree))
        #expect(!KustomizeRenderer.isKustomization(directory: "", in: tree))
    }

    @Test(arguments: [
        "https://github.com/example/repo//deploy?ref=v1", "github.com/example/repo/deploy", "git@github.com:example/repo.git",
        "ssh://git@example.com/repo.git",
    ])
    func refusesRemoteResources(_ entry: String) {
        let error = failure(["kustomization.yaml": "resources:\n- \(entry)\n"])
        #expect(error?.code == .remoteResource)
        #expect(error?.location?.description == "kustomization.yaml:2:3")
    }

    @Test func refusesPathsThatLeaveTheRepository() {
        let error = failure(["app/kustomization.yaml": "resources:\n- ../../elsewhere\n"], "app")
        #expect(error?.code == .outsideRoot)
        #expect(error?.location?.description == "app/kustomization.yaml:2:3")
        #expect(failure(["kustomization.yaml": "resources: [/etc/passwd]\n"])?.code == .outsideRoot)
        #expect(failure(["kustomization.yaml": "resources: [d.yaml]\npatches:\n- path: ../p.yaml\n", "d.yaml": ""])?.code == .outsideRoot)
    }

    @Test(arguments: ["replacements", "vars", "helmCharts", "generators", "transformers", "crds", "openapi"])
    func refusesUnsupportedFieldsByName(_ field: String) {
        let error = failure(["kustomization.yaml": "resources: []\n\(field): []\n"])
        #expect(error?.code == .unsupportedField)
        #expect(error?.message.hasPrefix(field) == true)
        #expect(error?.location?.description == "kustomization.yaml:2:1")
    }

    @Test func refusesUnknownFieldsInsideEntries() {
        let error = failure(["kustomization.yaml": "images:\n- name: nginx\n  newTga: \"2\"\n"])
        #expect(error?.code == .unknownField)
        #expect(error?.message == "images[0].newTga: unknown field in an images entry")
        #expect(error?.location?.description == "kustomization.yaml:3:3")
        #expect(error?.apiError.code == .unknownField)
        #expect(error?.apiError.location == error?.location)
    }

    @Test func reportsASelfReferenceAsACycle() {
        let error = failure(["kustomization.yaml": "resources:\n- .\n"])
        #expect(error?.code == .cycle)
    }

    @Test func keepsSourceLocationsOfRenderedObjects() throws {
        let objects = try render([
            "kustomization.yaml": "namePrefix: p-\nresources: [cm.yaml]\nconfigMapGenerator:\n- name: gen\n  literals: [a=b]\n",
            "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: written\ndata:\n  key: value\n",
        ])
        // The names as kubectl kustomize prints them.
        #expect(objects.map { $0.value[path: ["metadata", "name"]]?.stringValue } == ["p-written", "p-gen-4h2mbtbbt6"])
        #expect(objects[0].location?.description == "cm.yaml:1:1")
        #expect(objects[0].sourceMap.location(of: "data.key")?.description == "cm.yaml:6:3")
        #expect(objects[1].location?.description == "kustomization.yaml:4:3")
    }
}
