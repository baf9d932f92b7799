import Foundation
import TestSupport
import Testing

@testable import GitSource

@Suite("PackReader: objects read straight from pack files, equal to git's")
struct PackReaderTests {
    @Test(
        "reads every blob, tree, commit and tag of a pack with deep delta chains as git cat-file does",
        arguments: [true, false])
    func readsLikeGit(offsetDeltas: Bool) throws {
        let repository = try TemporaryGitRepository()
        try PackFixture.writeHistory(repository, revisions: 45)
        try repository.commitFile("deploy/empty.yaml", "")
        try repository.tag("v1", message: "an annotated tag")
        try PackFixture.repack(repository, "-adf", "--depth=50", "--window=50", offsetDeltas: offsetDeltas)
        #expect(try PackFixture.longestChain(repository) >= 20)
        let kinds = try PackFixture.entryKinds(repository)
        #expect(kinds[offsetDeltas ? "offset delta" : "reference delta", default: 0] > 100)
        #expect(kinds[offsetDeltas ? "reference delta" : "offset delta", default: 0] == 0)

        let expected = try PackFixture.allObjects(repository)
        #expect(Set(expected.values.map(\.type)) == ["blob", "tree", "commit", "tag"])
        let reader = try PackFixture.reader(repository)
        // Newest first, the way a tree walk meets objects, so that chains are resolved from their top.
        for (id, object) in expected.sorted(by: { $0.key > $1.key }) {
            let read = try PackFixture.object(reader, id)
            #expect(read.kind == object.kind, "\(id)")
            #expect(read.bytes == object.bytes, "\(id) is \(object.type)")
        }
        #expect(reader.statistics.objectsRead == expected.count)
        #expect(reader.statistics.deltasApplied > 0)
        #expect(reader.statistics.packScans == 1)

        // Read again in another order from a fresh reader: the cache must not be what makes it right.
        let fresh = try PackFixture.reader(repository)
        for (id, object) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(try PackFixture.object(fresh, id).bytes == object.bytes)
        }
    }

    @Test("reads a blob of several MB, stored whole and as a delta of it")
    func readsLargeBlobs() throws {
        let repository = try TemporaryGitRepository()
        var text = (0..<120_000).map { "line \($0): \(String(repeating: "abcdefgh", count: $0 % 5))\n" }.joined()
        let first = Array(text.utf8)
        try repository.write("big.yaml", bytes: first)
        try repository.commit("big")
        text = text.replacingOccurrences(of: "line 60000:", with: "LINE 60000 (changed):") + "tail: true\n"
        let second = Array(text.utf8)
        try repository.write("big.yaml", bytes: second)
        try repository.commit("big, changed")
        try PackFixture.repack(repository, "-adf")
        #expect(first.count > 3_000_000)

        let reader = try PackFixture.reader(repository)
        let firstID = try repository.head("HEAD~1:big.yaml")
        let secondID = try repository.head("HEAD:big.yaml")
        #expect(try PackFixture.object(reader, secondID).bytes == second)
        #expect(try PackFixture.object(reader, firstID).bytes == first)
        #expect(reader.statistics.deltasApplied == 1)
        let kinds = try [firstID, secondID].map { try PackFixture.entryKind(repository, $0) }
        #expect(kinds.sorted() == ["offset delta", "whole"])
    }

    @Test("declines loose objects, which the source then reads through libgit2")
    func declinesLooseObjects() async throws {
        let repository = try TemporaryGitRepository()
        try repository.commitFile("deploy/packed.yaml", "packed: true\n")
        try PackFixture.repack(repository, "-ad")
        try repository.commitFile("deploy/loose.yaml", "loose: true\n")

        let reader = try PackFixture.reader(repository)
        let packed = try ObjectID(hex: repository.head("HEAD:deploy/packed.yaml"))
        let loose = try ObjectID(hex: repository.head("HEAD:deploy/loose.yaml"))
        guard case .object(let object) = try reader.read(packed) else {
            Issue.record("a packed blob was not read")
            return
        }
        #expect(object.bytes == Array("packed: true\n".utf8))
        #expect(throws: PackReadError.notInPacks) { try reader.read(loose) }

        let source = try makeSource(repository.path, path: "deploy")
        let files = try await source.files(at: source.resolve().id)
        #expect(files.map(\.path) == ["deploy/loose.yaml", "deploy/packed.yaml"])
        #expect(files.map(\.text) == ["loose: true\n", "packed: true\n"])
    }

    @Test("finds objects in packs added after it opened, and lets go of packs a repack removed")
    func refreshesPacks() throws {
        let repository = try TemporaryGitRepository()
        try repository.commitFile("a.yaml", "a: 1\n")
        try PackFixture.repack(repository, "-ad")
        let reader = try PackFixture.reader(repository)
        #expect(try PackFixture.object(reader, repository.head("HEAD:a.yaml")).bytes == Array("a: 1\n".utf8))
        #expect(reader.statistics.packScans == 1)

        // An incremental repack writes a second pack with only the new objects.
        try repository.commitFile("b.yaml", "b: 1\n")
        try PackFixture.repack(repository, "-d")
        #expect(try PackFixture.packCount(repository) == 2)
        #expect(try PackFixture.object(reader, repository.head("HEAD:b.yaml")).bytes == Array("b: 1\n".utf8))
        #expect(reader.statistics.packScans == 2)

        // A full repack replaces both packs; a later object is found in the new one and the old ones are dropped.
        try PackFixture.repack(repository, "-adf")
        try repository.commitFile("c.yaml", "c: 1\n")
        try PackFixture.repack(repository, "-d")
        #expect(try PackFixture.object(reader, repository.head("HEAD:c.yaml")).bytes == Array("c: 1\n".utf8))
        #expect(try PackFixture.object(reader, repository.head("HEAD:a.yaml")).bytes == Array("a: 1\n".utf8))
        #expect(reader.statistics.packScans == 3)
    }

    @Test("refuses an oversized blob from its entry header, and a delta-compressed one before inflating it")
    func refusesOversizedBlobs() async throws {
        let repository = try TemporaryGitRepository()
        let base = (0..<400).map { "key\($0): value \($0)\n" }.joined()
        try repository.commitFile("m/big.yaml", base)
        try repository.commitFile("m/big.yaml", base + "extra: line\n")
        try PackFixture.repack(repository, "-adf")
        let ids = try ["HEAD~1:m/big.yaml", "HEAD:m/big.yaml"].map { try repository.head($0) }
        let sizes = [base.utf8.count, base.utf8.count + 12]
        #expect(sizes.allSatisfy { $0 > 4096 })
        let kinds = try ids.map { try PackFixture.entryKind(repository, $0) }
        #expect(kinds.sorted() == ["offset delta", "whole"])

        for (id, size) in zip(ids, sizes) {
            let reader = try PackFixture.reader(repository)
            let result = try reader.read(ObjectID(hex: id), maximumSize: 4096)
            guard case .tooLarge(let reported) = result else {
                Issue.record("\(id) was read despite the limit")
                continue
            }
            #expect(reported == size)
            // A whole object is refused from its entry header, inflating nothing; a delta once the delta (a few
            // bytes here) is inflated, before its base is read or anything is rebuilt.
            if try PackFixture.entryKind(repository, id) == "whole" {
                #expect(reader.statistics.bytesInflated == 0)
            } else {
                #expect(reader.statistics.bytesInflated < 100)
            }
            #expect(reader.statistics.deltasApplied == 0)
            #expect(reader.statistics.objectsRead == 0)
            // A limit of exactly the size is no reason to refuse.
            guard case .object(let object) = try reader.read(ObjectID(hex: id), maximumSize: size) else {
                Issue.record("\(id) was refused at a limit of its own size")
                continue
            }
            #expect(object.bytes.count == size)
        }

        for revision in ["HEAD~1", "HEAD"] {
            let source = try makeSource(
                repository.path, reference: .commit(#require(CommitID(repository.head(revision)))),
                path: "m", maximumManifestSize: 4096)
            let error = await gitSourceError { try await source.files(at: source.resolve().id) }
            #expect(error?.code == .fileTooLarge)
            #expect(
                error?.message.contains("'m/big.yaml' is \(revision == "HEAD" ? sizes[1] : sizes[0]) bytes") == true)
        }
    }

    @Test("refuses an object rebuilt from a large delta having inflated only the delta's header")
    func refusesLargeDeltasFromTheirHeader() throws {
        let repository = try TemporaryGitRepository()
        // Lines that share nothing with each other, so that the second version's delta carries them literally.
        let lines = { (range: Range<Int>) in
            range.map { "\($0 &* 2_654_435_761 % 1_000_003): \($0 &* 40_503 % 65_521)\n" }
        }
        // Two versions sharing their first part, each with 10,000 lines of its own: whichever git stores as a
        // delta of the other carries its own lines as inserts, well over 64 KiB.
        let shared = lines(0..<20_000).joined()
        try repository.commitFile("big.yaml", shared + lines(200_000..<210_000).joined())
        try repository.commitFile("big.yaml", shared + lines(100_000..<110_000).joined())
        try PackFixture.repack(repository, "-adf")
        let ids = try ["HEAD~1:big.yaml", "HEAD:big.yaml"].map { try repository.head($0) }
        guard let delta = try ids.first(where: { try PackFixture.entryKind(repository, $0) == "offset delta" }) else {
            Issue.record("git stored neither version as a delta")
            return
        }
        #expect(try PackFixture.entrySize(repository, delta) > PackReader.wholeDeltaLimit)

        let reader = try PackFixture.reader(repository)
        guard case .tooLarge(let size) = try reader.read(ObjectID(hex: delta), maximumSize: 4096) else {
            Issue.record("the object was read despite the limit")
            return
        }
        #expect(
            size == Int(try repository.git("cat-file", "-s", delta).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(reader.statistics.bytesInflated <= Delta.maximumHeaderLength)
        #expect(reader.statistics.deltasApplied == 0)
        // Without a limit, the same object reads in full.
        let whole = try PackFixture.object(reader, delta)
        #expect(whole.bytes.count == size)
    }

    @Test("skips a pack whose index is version 1; the source reads it through libgit2")
    func skipsVersion1Indexes() async throws {
        let repository = try TemporaryGitRepository()
        try repository.commitFile("deploy/app.yaml", "kind: Deployment\n")
        try PackFixture.repack(repository, "-adf")
        let idx = try PackFixture.packPaths(repository)[0]
        try FileManager.default.removeItem(atPath: idx)
        try repository.git("index-pack", "--index-version=1", "-o", idx, String(idx.dropLast(4)) + ".pack")

        let reader = try PackFixture.reader(repository)
        #expect(throws: PackReadError.notInPacks) {
            try reader.read(ObjectID(hex: repository.head("HEAD:deploy/app.yaml")))
        }
        let source = try makeSource(repository.path, path: "deploy")
        #expect(try await source.files(at: source.resolve().id).map(\.text) == ["kind: Deployment\n"])
    }

    @Test("the source reads the same files from deep delta chains as from loose objects")
    func sourceReadsPacksLikeLooseObjects() async throws {
        let repository = try TemporaryGitRepository()
        try PackFixture.writeHistory(repository, revisions: 30)
        let loose = try makeSource(repository.path)
        let expected = try await loose.files(at: loose.resolve().id)
        try PackFixture.repack(repository, "-adf", "--depth=50", "--window=50")
        let packed = try makeSource(repository.path)
        let files = try await packed.files(at: packed.resolve().id)
        #expect(files == expected)
        #expect(files.count == PackFixture.filesPerRevision)
        // Read again from the same source: its pack reader and cache are kept between reads.
        #expect(try await packed.files(at: packed.resolve().id) == expected)
    }
}

/// Repositories shaped to exercise the pack reader, and git's own view of them to compare against.
enum PackFixture {
    static let filesPerRevision = 4

    /// Commits `revisions` versions of a few YAML files in which every revision changes one line for good, so
    /// that each version is closest to the one before it and `git repack` stores them as long delta chains.
    static func writeHistory(_ repository: TemporaryGitRepository, revisions: Int) throws {
        for revision in 1...revisions {
            for file in 0..<filesPerRevision {
                var values = [Int](repeating: 0, count: 80)
                for earlier in 1...revision { values[(earlier * 7 + file) % 80] = earlier }
                let text = (0..<80).map {
                    "line \($0) of file \(file): \(values[$0]) \(String(repeating: "x", count: $0 % 13))\n"
                }
                .joined()
                try repository.write("deploy/app-\(file % 2)/file-\(file).yaml", text)
            }
            try repository.commit("revision \(revision)")
        }
    }

    /// Runs `git repack` with the given arguments, writing offset or reference deltas.
    static func repack(_ repository: TemporaryGitRepository, _ arguments: String..., offsetDeltas: Bool = true) throws {
        try repository.git(["-c", "repack.useDeltaBaseOffset=\(offsetDeltas)", "repack", "-q"] + arguments)
    }

    static func reader(_ repository: TemporaryGitRepository) throws -> PackReader {
        try PackReader(objectsDirectory: repository.path + "/.git/objects")
    }

    static func object(_ reader: PackReader, _ hex: String) throws -> PackedObject {
        guard case .object(let object) = try reader.read(ObjectID(hex: hex)) else {
            throw GitSourceError(.failed, "\(hex) reported too large without a limit")
        }
        return object
    }

    /// The `.idx` files of the repository.
    static func packPaths(_ repository: TemporaryGitRepository) throws -> [String] {
        let directory = repository.path + "/.git/objects/pack"
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".idx") }.sorted()
            .map { directory + "/" + $0 }
    }

    static func packCount(_ repository: TemporaryGitRepository) throws -> Int {
        try packPaths(repository).count
    }

    /// The longest delta chain `git verify-pack` reports.
    static func longestChain(_ repository: TemporaryGitRepository) throws -> Int {
        let output = try repository.git(["verify-pack", "-v"] + packPaths(repository))
        return output.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("chain length = ") else { return nil }
            return Int(line.dropFirst("chain length = ".count).prefix { $0.isNumber })
        }.max() ?? 0
    }

    /// How the pack stores the object `hex`: "whole", "offset delta" or "reference delta".
    static func entryKind(_ repository: TemporaryGitRepository, _ hex: String) throws -> String {
        for path in try packPaths(repository) {
            let index = try PackIndex(MappedFile.open(path))
            let pack = try PackFile(MappedFile.open(String(path.dropLast(4)) + ".pack"), index: index)
            let offset = try ObjectID(hex: hex).withRawBytes { (raw) throws(PackReadError) in
                try index.offset(of: raw.baseAddress!)
            }
            guard let offset else { continue }
            switch try pack.entry(at: offset).kind {
            case .whole: return "whole"
            case .offsetDelta: return "offset delta"
            case .referenceDelta: return "reference delta"
            }
        }
        return "absent"
    }

    /// The size of the entry's data: the object's for a whole object, the delta's for a delta.
    static func entrySize(_ repository: TemporaryGitRepository, _ hex: String) throws -> Int {
        for path in try packPaths(repository) {
            let index = try PackIndex(MappedFile.open(path))
            let pack = try PackFile(MappedFile.open(String(path.dropLast(4)) + ".pack"), index: index)
            let offset = try ObjectID(hex: hex).withRawBytes { (raw) throws(PackReadError) in
                try index.offset(of: raw.baseAddress!)
            }
            if let offset { return try pack.entry(at: offset).size }
        }
        return 0
    }

    /// How many objects the packs store each way.
    static func entryKinds(_ repository: TemporaryGitRepository) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for id in try allObjects(repository).keys {
            counts[try entryKind(repository, id), default: 0] += 1
        }
        return counts
    }

    /// Every object as `git cat-file --batch-all-objects --batch` prints it, byte for byte.
    static func allObjects(_ repository: TemporaryGitRepository) throws -> [String: (
        type: String, kind: GitObjectKind, bytes: [UInt8]
    )] {
        let output = repository.root + "/cat-file-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        try TemporaryGitRepository.run(
            "/bin/sh", ["-c", "git cat-file --batch-all-objects --batch > '\(output)'"], in: repository.path,
            environment: TemporaryGitRepository.gitEnvironment(home: repository.root))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
        var objects: [String: (type: String, kind: GitObjectKind, bytes: [UInt8])] = [:]
        var position = 0
        while position < bytes.count {
            // "<id> <type> <size>\n<contents>\n"
            guard let newline = bytes[position...].firstIndex(of: 10) else { break }
            let fields = String(decoding: bytes[position..<newline], as: UTF8.self).split(separator: " ")
            guard fields.count == 3, let size = Int(fields[2]) else {
                throw GitSourceError(.failed, "bad cat-file output")
            }
            let kinds: [Substring: GitObjectKind] = ["commit": .commit, "tree": .tree, "blob": .blob, "tag": .tag]
            guard let kind = kinds[fields[1]] else { throw GitSourceError(.failed, "unknown type \(fields[1])") }
            let start = newline + 1
            objects[String(fields[0])] = (String(fields[1]), kind, Array(bytes[start..<(start + size)]))
            position = start + size + 1
        }
        return objects
    }
}
