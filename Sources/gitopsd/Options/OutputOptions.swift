import ArgumentParser

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, yaml, wide
}

/// `-o/--output`, shared by the commands that print objects or reports.
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text, json, yaml or wide.")
    var format: OutputFormat = .text
}
