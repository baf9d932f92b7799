import ArgumentParser

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
}
