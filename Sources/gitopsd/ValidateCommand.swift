import API
import ArgumentParser

/// `gitopsd validate PATH...`: loads manifests and checks them as the Kubernetes API server would.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Load and validate manifests (files or directories).",
        discussion: """
            Prints `ok: N objects in M files` and exits 0 when every manifest is valid (warnings listed first), \
            otherwise prints one line per problem, FILE:LINE:COL: KIND/NAME: FIELD.PATH: message, and exits 1.
            """)

    @Argument(help: "Manifest files or directories (searched recursively for .yaml, .yml and .json).")
    var paths: [String]

    @OptionGroup var output: OutputOptions

    @Option(help: "Largest manifest file accepted, in bytes.")
    var maxFileSize: Int = ManifestLoader.Configuration().maximumFileSize

    @Option(name: .customLong("include"), help: "In directories, read only files matching this glob (repeatable).")
    var include: [String] = []

    @Option(name: .customLong("exclude"), help: "In directories, leave out files matching this glob (repeatable).")
    var exclude: [String] = []

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or directory") }
    }

    func run() throws {
        var configuration = ManifestLoader.Configuration()
        configuration.maximumFileSize = maxFileSize
        configuration.include = include
        configuration.exclude = exclude
        let set = ManifestLoader(configuration: configuration).load(paths: paths)
        switch output.format {
        case .json, .yaml:
            let report = Self.report(set)
            printResult(output.format == .json ? report.jsonString : report.yamlString, terminator: output.format == .json ? "\n" : "")
        case .text, .wide:
            for warning in set.warnings { printResult(Self.line(warning, severity: "warning: ")) }
            for error in set.errors { printResult(Self.line(error, severity: "")) }
            if set.isValid { printResult("ok: \(set.objects.count) objects in \(set.fileCount) files") }
        }
        if !set.isValid { throw ExitCode(1) }
    }

    /// `FILE:LINE:COL: KIND/NAME: FIELD.PATH: [warning: ]message`.
    static func line(_ problem: APIError, severity: String) -> String {
        var located = problem
        located.message = severity + problem.message
        return located.description
    }

    static func report(_ set: ManifestSet) -> Value {
        func entry(_ problem: APIError) -> Value {
            var value: Value = ["code": .string(problem.code.rawValue), "message": .string(problem.message)]
            if let location = problem.location {
                value["file"] = .string(location.file)
                value["line"] = .int(Int64(location.line))
                value["column"] = .int(Int64(location.column))
            }
            if let object = problem.object { value["object"] = .string(object) }
            if let field = problem.field, !field.isEmpty { value["field"] = .string(field) }
            return value
        }
        return [
            "valid": .bool(set.isValid),
            "files": .int(Int64(set.fileCount)),
            "objects": .array(set.objects.map { object in
                [
                    "kind": .string(object.key.kind), "namespace": .string(object.key.namespace),
                    "name": .string(object.key.name), "file": .string(object.location.file),
                    "line": .int(Int64(object.location.line)),
                ]
            }),
            "errors": .array(set.errors.map(entry)),
            "warnings": .array(set.warnings.map(entry)),
        ]
    }
}
