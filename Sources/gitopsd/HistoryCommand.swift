import ArgumentParser
import Foundation
import Orchestrator
import Reconciler

/// `gitopsd history`: every sync attempt, newest first, with its commit and result.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show the sync history: commit, time and result of each sync.")

    @Option(name: .short, help: "Show at most this many syncs.")
    var n: Int?

    @Option(help: "Only this source.")
    var source: String?

    @OptionGroup var output: OutputOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions

    func run() throws {
        let records = try SyncHistory(dataDirectory: dataDirectory.dataDirectory).records(source: source, count: n)
        switch output.format {
        case .json, .yaml:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            encoder.dateEncodingStrategy = .iso8601
            printResult(String(decoding: try encoder.encode(records), as: UTF8.self))
        case .text, .wide:
            guard !records.isEmpty else {
                printError("No syncs recorded in \(dataDirectory.dataDirectory).")
                return
            }
            var table = Table(["AGE", "SOURCE", "COMMIT", "RESULT", "CREATED", "UPDATED", "DELETED", "SUBJECT"])
            var notes: [String] = []
            for record in records {
                table.append([
                    Age.format(since: record.finishedAt), record.source, String(record.commit.prefix(7)),
                    record.result.rawValue, "\(record.created)", "\(record.updated)", "\(record.deleted)", record.subject,
                ])
                if output.format == .wide || record == records.first, !record.errors.isEmpty {
                    notes.append("\(record.commit.prefix(7)): " + record.errors.joined(separator: "\n    "))
                }
            }
            printResult(table.render())
            if !notes.isEmpty { printResult("\n" + notes.joined(separator: "\n")) }
        }
    }
}
