import ArgumentParser
import Foundation
import GitSource

/// `gitopsd source [show] --repo R ...`: prints the resolved commit and the manifest files under `--path`.
struct SourceShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print `commit <sha> <subject>` and then one manifest file path per line."
    )

    @OptionGroup var source: SourceOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: SourceOutputFormat = .text

    func run() async throws {
        try await SourceOptions.reportingErrors {
            let gitSource = try await source.makeSource()
            let commit = try await gitSource.resolve()
            let files = try await gitSource.files(at: commit.id)
            switch output {
            case .text:
                var text = "commit \(commit.id.hex) \(commit.subject)\n"
                for file in files { text += file.path + "\n" }
                FileHandle.standardOutput.write(Data(text.utf8))
            case .json:
                printResult(try SourceReport(commit: commit, files: files).json())
            case .yaml:
                printResult(SourceReport(commit: commit, files: files).yaml(), terminator: "")
            }
        }
    }
}
