import API
import ArgumentParser
import Foundation
import Reconciler

/// `gitopsd build DIR | --repo R --path P`: prints the manifests gitopsd would apply, as `kustomize build` does.
struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Print the manifests a directory or a commit renders to, one YAML document per object.",
        discussion: """
            Reads a directory on disk, or with --repo the commit --branch/--tag/--revision selects under --path, \
            with the same filters (.gitopsdignore, --include, --exclude) and checks as the daemon. Objects are \
            printed as written, in the order they are applied (Namespaces first). Invalid manifests print \
            FILE:LINE:COL errors on standard error and exit 1.
            """)

    @Argument(help: "A directory (or file) of manifests; omit it to read --repo.")
    var directory: String?

    @OptionGroup var source: SourceOptions

    func validate() throws {
        if (directory == nil) == (source.repo == nil) { throw ValidationError("give either DIR or --repo") }
    }

    func run() async throws {
        let set: ManifestSet
        if let directory {
            var configuration = ManifestLoader.Configuration()
            configuration.maximumFileSize = source.maxManifestSize
            configuration.include = source.include
            configuration.exclude = source.exclude
            set = ManifestLoader(configuration: configuration).load(paths: [directory])
        } else {
            var files: [ManifestFile] = []
            try await SourceOptions.reportingErrors {
                let gitSource = try await source.makeSource()
                let commit = try await gitSource.resolve()
                files = try await gitSource.files(at: commit.id).map { ManifestFile(path: $0.path, bytes: $0.contents) }
            }
            set = ManifestLoader().load(files: files)
        }
        for warning in set.warnings { printError(ValidateCommand.line(warning, severity: "warning: ")) }
        guard set.isValid else {
            for error in set.errors { printError(ValidateCommand.line(error, severity: "")) }
            throw ExitCode(1)
        }
        let objects = set.objects.sorted { ApplyOrder.precedes($0.key, $1.key) }
        printResult(objects.map(\.value.yamlString).joined(separator: "---\n"), terminator: "")
    }
}
