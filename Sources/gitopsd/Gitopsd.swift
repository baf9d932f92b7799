import ArgumentParser
import Foundation

/// The `gitopsd` command line: one subcommand per file.
@main
struct Gitopsd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gitopsd",
        abstract: "A GitOps reconciler with an embedded orchestrator.",
        version: GitopsdVersion.current,
        subcommands: [
            // The GitOps workflow first, then reading and changing live state, as a user meets them.
            ServeCommand.self,
            ReconcileCommand.self,
            DiffCommand.self,
            HistoryCommand.self,
            ValidateCommand.self,
            BuildCommand.self,
            SourceCommand.self,
            ApplyCommand.self,
            GetCommand.self,
            DescribeCommand.self,
            DeleteCommand.self,
            LogsCommand.self,
            RolloutCommand.self,
            ScaleCommand.self,
            VersionCommand.self,
        ]
    )

    /// Parses and runs the command, and reports a failure the way ArgumentParser does, except that the message goes
    /// through `printError`: errors quote file names and commit subjects, whose control characters must not reach
    /// the terminal.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { printResult(message) } else { printError(message) }
            }
            Foundation.exit(code.rawValue)
        }
    }
}
