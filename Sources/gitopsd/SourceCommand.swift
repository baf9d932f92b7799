import ArgumentParser

/// `gitopsd source`: resolve a repository reference and show what gitopsd would read there.
struct SourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Resolve a git source and list its manifest files, or its history.",
        subcommands: [SourceShowCommand.self, SourceLogCommand.self],
        defaultSubcommand: SourceShowCommand.self
    )
}
