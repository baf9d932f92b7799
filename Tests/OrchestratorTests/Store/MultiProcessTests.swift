import API
import Foundation
import Orchestrator
import Testing

/// Tests with a real second process: `gitopsd-bench store-writer`, found next to the test bundle.
///
/// `swift test` and `make test` (`swift build --build-tests`) build every product, so the helper is there;
/// a test run with `--skip-build` after building only the test target reports it missing.
@Suite struct MultiProcessTests {
    static var writerBinary: URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // On macOS the test binary sits inside `gitopsdPackageTests.xctest/Contents/MacOS`.
        while directory.lastPathComponent.hasSuffix(".xctest")
            || ["Contents", "MacOS"].contains(directory.lastPathComponent)
        {
            directory.deleteLastPathComponent()
        }
        for candidate in [directory, executable.deletingLastPathComponent()] {
            let binary = candidate.appendingPathComponent("gitopsd-bench")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        return nil
    }

    static func writer(_ dataDirectory: String, _ arguments: [String]) throws -> (Process, Pipe) {
        guard let binary = writerBinary else {
            throw StoreError(
                .io, "gitopsd-bench not found next to the test binary; run `swift build --build-tests` first")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["store-writer", "--data-dir", dataDirectory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    /// Reads `NAME REVISION` lines until `enough` returns true or the pipe closes.
    static func readAcknowledgements(_ pipe: Pipe, until enough: ([String: Int64]) -> Bool) -> [String: Int64] {
        var acknowledged: [String: Int64] = [:]
        var pending = Data()
        let handle = pipe.fileHandleForReading
        while !enough(acknowledged) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                let parts = line.split(separator: " ")
                if parts.count == 2, let revision = Int64(parts[1]) { acknowledged[String(parts[0])] = revision }
            }
        }
        return acknowledged
    }

    @Test func anotherProcessesWritesReachOurWatch() async throws {
        let store = try makeStore()
        let directory = URL(fileURLWithPath: store.path).deletingLastPathComponent().path
        let stream = try await store.watch(ObjectFilter(kind: "ConfigMap"), from: nil)
        let (process, output) = try Self.writer(directory, ["--count", "10", "--writers", "2"])
        let events = try await take(20, from: stream, timeout: .seconds(20))
        process.waitUntilExit()
        let acknowledged = Self.readAcknowledgements(output) { _ in false }
        #expect(process.terminationStatus == 0)
        #expect(events.count == 20)
        #expect(events.map(\.revision) == events.map(\.revision).sorted())
        #expect(Dictionary(uniqueKeysWithValues: events.map { ($0.key.name, $0.revision.value) }) == acknowledged)
    }

    @Test func killedWriterLosesNoAcknowledgedWrite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gitopsd-crash-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (process, output) = try Self.writer(directory, ["--writers", "4"])
        var acknowledged = Self.readAcknowledgements(output) { $0.count >= 400 }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // Lines written before the kill were acknowledged too.
        acknowledged.merge(Self.readAcknowledgements(output) { _ in false }) { first, _ in first }
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(acknowledged.count >= 400)

        let store = try SQLiteObjectStore(dataDirectory: directory)
        #expect(try await store.integrityCheck() == ["ok"])
        let stored = try await store.list(kind: "ConfigMap")
        let revisions = Dictionary(
            uniqueKeysWithValues: stored.items.map { ($0.name, Int64($0.resourceVersion) ?? -1) })
        for (name, revision) in acknowledged {
            #expect(revisions[name] == revision, "acknowledged \(name) at \(revision) is missing")
        }
        // The store keeps working after the crash.
        #expect(try await store.create(configMap("after-crash")).revision.value > stored.revision.value)
    }
}
