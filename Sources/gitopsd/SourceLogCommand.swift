import ArgumentParser
import Foundation
import GitSource

/// `gitopsd source log --repo R [--path P] [-n N]`: the recent commits that touched the path.
struct SourceLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Print the recent commits that changed the source's path, newest first."
    )

    @OptionGroup var source: SourceOptions

    @Option(name: [.short, .customLong("max-count")], help: "How many commits to print.")
    var n: Int = 20

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: SourceOutputFormat = .text

    func validate() throws {
        guard n > 0 else { throw ValidationError("-n must be positive") }
    }

    func run() async throws {
        try await SourceOptions.reportingErrors {
            let commits = try await source.makeSource().history(limit: n)
            switch output {
            case .text:
                let formatter = ISO8601DateFormatter()
                var text = ""
                for commit in commits {
                    text += "\(commit.shortID) \(formatter.string(from: commit.time)) \(commit.author.name): "
                        + "\(commit.subject)\n"
                }
                FileHandle.standardOutput.write(Data(text.utf8))
            case .json:
                printResult(try SourceReport.json(commits.map(SourceReport.CommitInfo.init)))
            case .yaml:
                printResult(commits.map { SourceReport.CommitInfo($0).yamlListItem() }.joined(), terminator: "")
            }
        }
    }
}
