import Foundation
import Testing

@testable import API

@Suite struct ManifestLoaderTests {
    static var fixtures: String {
        Bundle.module.path(forResource: "Fixtures", ofType: nil) ?? "Tests/APITests/Fixtures"
    }

    @Test func loadsRealWorldManifestsFromADirectory() {
        let set = ManifestLoader().load(paths: [Self.fixtures + "/valid"])
        #expect(set.errors == [])
        #expect(set.fileCount == 4)
        #expect(set.objects.count == 12)
        // Deterministic order: files sorted, documents in order, List items expanded.
        #expect(set.objects.first?.key == ObjectKey(kind: "Namespace", name: "shop"))
        #expect(set.objects.map(\.key.name).contains("from-json-2"))
        #expect(set.warnings.contains { $0.field == "spec.template.spec.containers[0].resources" && $0.location?.line == 46 })
    }

    @Test func reportsInvalidFixturesWithLocations() {
        let set = ManifestLoader().load(paths: [Self.fixtures + "/invalid"])
        let tab = set.errors.first { $0.location?.file.hasSuffix("tabs.yaml") == true }
        #expect(tab?.location?.line == 6)
        #expect(tab?.message.contains("tab") == true)
        #expect(set.errors.contains { $0.field == "spec.template.spec.containers[0].envv" && $0.location?.line == 27 })
        #expect(set.errors.count >= 8)
    }

    @Test func listItemsKeepTheirLocations() {
        let yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: B}\n"
        let set = ManifestLoader().load(files: [ManifestFile(path: "l.yaml", bytes: Array(yaml.utf8))])
        #expect(set.objects.count == 2)
        #expect(set.objects[1].location.line == 7)
        #expect(set.errors.first?.description.hasPrefix("l.yaml:9:14: ConfigMap/B: metadata.name:") == true)
    }

    @Test func refusesHugeFiles() {
        var configuration = ManifestLoader.Configuration()
        configuration.maximumFileSize = 1024
        let set = ManifestLoader(configuration: configuration).load(files: [
            ManifestFile(path: "big.yaml", bytes: Array(repeating: UInt8(ascii: "a"), count: 2048))
        ])
        #expect(set.errors.first?.code == .limitExceeded)
    }

    @Test func defaultSizeLimitIsFourMiB() {
        let bytes = Array("a: \"".utf8) + Array(repeating: UInt8(ascii: "x"), count: 4 << 20) + Array("\"\n".utf8)
        let set = ManifestLoader().load(files: [ManifestFile(path: "big.yaml", bytes: bytes)])
        #expect(set.errors.first?.code == .limitExceeded)
    }

    @Test func nonObjectsAndMissingKindsAreErrors() {
        let set = ManifestLoader().load(files: [ManifestFile(path: "x.yaml", bytes: Array("- a\n---\nmetadata: {name: x}\n".utf8))])
        #expect(set.errors.map(\.code) == [.invalidType, .required])
    }

    @Test func statusInManifestsIsAWarning() {
        let yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\nstatus: {phase: Active}\n"
        let set = ManifestLoader().load(files: [ManifestFile(path: "x.yaml", bytes: Array(yaml.utf8))])
        #expect(set.errors == [])
        #expect(set.warnings.map(\.code) == [.ignored])
    }
}
