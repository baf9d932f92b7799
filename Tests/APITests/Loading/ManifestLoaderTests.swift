import Foundation
import TestSupport
import Testing

@testable import API

#if canImport(Glibc)
    import Glibc
#endif

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

    /// Bytes this process has read through `read(2)` and friends so far (Linux's `/proc/self/io`).
    static func bytesReadByThisProcess() throws -> Int {
        let text = try String(contentsOfFile: "/proc/self/io", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("rchar:") })
        return try #require(Int(line.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces)))
    }

    @Test func aFileBehindASymlinkIsRefusedByItsSizeBeforeItIsRead() throws {
        let directory = try TemporaryDirectory()
        // Sparse: 512 MiB on paper, nothing on disk; reading it whole would still read 512 MiB of zeros.
        let size = 512 << 20
        let big = directory.appending("data/big.bin")
        try FileManager.default.createDirectory(atPath: directory.appending("data"), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, off_t(size)) == 0)
        try FileManager.default.createDirectory(
            atPath: directory.appending("deploy"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory.appending("deploy/big.yaml"), withDestinationPath: big)

        // Named directly, and found in a directory walk.
        for path in [directory.appending("deploy/big.yaml"), directory.appending("deploy")] {
            let before = try Self.bytesReadByThisProcess()
            let set = ManifestLoader().load(paths: [path])
            let read = try Self.bytesReadByThisProcess() - before
            #expect(set.errors.count == 1)
            #expect(set.errors.first?.code == .limitExceeded)
            #expect(set.errors.first?.location?.file == directory.appending("deploy/big.yaml"))
            #expect(set.errors.first?.message.contains("\(size) bytes") == true)
            // Other tests read concurrently, but nowhere near this much: the big file itself was not read.
            #expect(read < size / 4, "read \(read) bytes")
        }
    }

    @Test(arguments: ["dangling", "loop"])
    func brokenSymlinksInADirectoryAreErrorsNamingThem(shape: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("deploy/ok.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n")
        let link = directory.appending("deploy/broken.yaml")
        if shape == "dangling" {
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "missing.yaml")
        } else {
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "other.yaml")
            try FileManager.default.createSymbolicLink(
                atPath: directory.appending("deploy/other.yaml"), withDestinationPath: "broken.yaml")
        }
        for path in [directory.appending("deploy"), link] {
            let set = ManifestLoader().load(paths: [path])
            #expect(!set.isValid)
            let error = try #require(set.errors.first { $0.location?.file == link }, "\(set.errors)")
            #expect(error.code == .io)
            #expect(error.message.contains(shape == "dangling" ? "does not exist" : "loop"), "\(error)")
        }
    }

    @Test(arguments: [("[", "]"), ("{a: ", "}"), ("- ", "")])
    func aHundredThousandLevelsOfNestingAreRefusedAtTheFirstLevelTooDeep(open: String, close: String) {
        let depth = 100_000
        // `- - - x` nests block lists on one line, as `[[[x]]]` nests flow lists.
        let text = String(repeating: open, count: depth) + "x" + String(repeating: close, count: depth) + "\n"
        var configuration = ManifestLoader.Configuration()
        configuration.maximumFileSize = text.utf8.count
        let set = ManifestLoader(configuration: configuration).load(files: [
            ManifestFile(path: "deep.yaml", bytes: Array(text.utf8))
        ])
        #expect(set.errors.count == 1)
        #expect(set.errors.first?.code == .limitExceeded)
        #expect(set.errors.first?.message.contains("nesting deeper than 100 levels") == true)
        // The 101st level: its first character.
        #expect(set.errors.first?.location?.description == "deep.yaml:1:\(100 * open.count + 1)")
    }

    @Test func aBillionLaughsDocumentIsRefusedAtTheAliasThatGoesOverTheLimit() {
        var text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n"
        text += "lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let aliases = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "lol\(level): &a\(level) [\(aliases)]\n"
        }
        let set = ManifestLoader().load(files: [ManifestFile(path: "lol.yaml", bytes: Array(text.utf8))])
        #expect(set.errors.count == 1)
        #expect(set.errors.first?.code == .limitExceeded)
        #expect(set.errors.first?.message.contains("more than 100000 nodes") == true)
        // Each alias of a3 counts 1111 nodes, of a4 11111: 100 000 is passed at the 8th alias in a4's list.
        let column = "lol4: &a4 [".count + 7 * "*a3, ".count + 1
        #expect(set.errors.first?.location?.description == "lol.yaml:8:\(column)")
    }
}
