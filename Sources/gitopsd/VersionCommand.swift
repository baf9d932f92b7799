import ArgumentParser

/// The version this binary was built as.
enum GitopsdVersion {
    static let current = "0.1.0-dev"
}

/// `gitopsd version`: prints the version.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the gitopsd version.")

    func run() {
        printResult("gitopsd \(GitopsdVersion.current)")
    }
}
