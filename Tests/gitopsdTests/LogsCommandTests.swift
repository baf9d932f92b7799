import Foundation
import TestSupport
import Testing

/// `gitopsd logs` driven through the built binary.
@Suite("gitopsd logs")
struct LogsCommandTests {
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.executable("gitopsd"))
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func aMissingPodIsReportedLikeKubectl() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gitopsd-logs-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try run(["logs", "ghost", "-n", "default", "--data-dir", directory])
        #expect(result.status == 1)
        #expect(result.error == "Error from server (NotFound): pods \"ghost\" not found\n")
        #expect(result.output.isEmpty)
    }

    @Test func followAndPreviousCannotBeCombined() throws {
        let result = try run(["logs", "web", "-f", "--previous", "--data-dir", "/nonexistent"])
        #expect(result.status != 0)
        #expect(result.error.contains("--follow and --previous cannot be combined"))
    }
}
