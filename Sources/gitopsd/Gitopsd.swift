import ArgumentParser

/// The `gitopsd` command line: one subcommand per file.
@main
struct Gitopsd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gitopsd",
        abstract: "A GitOps reconciler with an embedded orchestrator.",
        version: GitopsdVersion.current,
        subcommands: [
            VersionCommand.self,
            ValidateCommand.self,
            ApplyCommand.self,
            GetCommand.self,
            DescribeCommand.self,
            DeleteCommand.self,
            SourceCommand.self,
            LogsCommand.self,
            RolloutCommand.self,
            ScaleCommand.self,
            ServeCommand.self,
            ReconcileCommand.self,
            DiffCommand.self,
            HistoryCommand.self,
        ]
    )
}
