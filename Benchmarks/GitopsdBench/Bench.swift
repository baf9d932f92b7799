import ArgumentParser

/// `gitopsd-bench`: the measuring side of `make bench`. Each subcommand prints a JSON or Markdown report
/// that a script in `bench/` turns into a section of BENCHMARKS.md.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gitopsd-bench",
        abstract: "Benchmarks for gitopsd (run through `make bench`).",
        subcommands: [
            StoreBench.self, StoreWriter.self,
            ManifestBench.self,
            GitSourceBench.self,
            IngressBench.self,
        ]
    )
}
