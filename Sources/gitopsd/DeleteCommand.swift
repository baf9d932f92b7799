import API
import ArgumentParser
import Orchestrator

/// `gitopsd delete KIND NAME...`: deletes objects, and what they own, from the store.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete objects by kind and name.",
        discussion: "Deleting a Deployment deletes its ReplicaSets and pods; deleting a Namespace deletes everything in it.")

    @Argument(help: "KIND NAME..., or KIND/NAME...")
    var arguments: [String]

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "Namespace (default: default).")
    var namespace: String = "default"

    @Option(help: "What happens to dependents: background, foreground or orphan.")
    var cascade: String = "background"

    @OptionGroup var dataDirectory: DataDirectoryOptions

    func validate() throws {
        if arguments.isEmpty { throw ValidationError("name what to delete, e.g. `gitopsd delete deployment web`") }
        if DeleteOptions.Propagation(rawValue: cascade.capitalized) == nil {
            throw ValidationError("--cascade must be background, foreground or orphan")
        }
    }

    func run() async throws {
        var targets: [ObjectKey] = []
        if arguments[0].contains("/") {
            for argument in arguments {
                let (resource, name) = try ResourceArgument.split(argument)
                guard let name else { throw CLIError("\(argument): expected KIND/NAME") }
                targets.append(key(resource, name))
            }
        } else {
            let resource = try ResourceArgument(arguments[0]).resource
            let names = arguments.dropFirst()
            if names.isEmpty { throw CLIError("name the \(resource.singular) to delete") }
            targets = names.map { key(resource, $0) }
        }
        let store = try dataDirectory.openStore()
        let options = DeleteOptions(propagation: DeleteOptions.Propagation(rawValue: cascade.capitalized) ?? .background)
        var failures = 0
        for target in targets {
            do {
                _ = try await store.delete(target, options: options)
                printResult("\(ResourceArgument.display(target)) deleted")
            } catch let error as StoreError where error.code == .notFound {
                failures += 1
                printError("Error: \(target.kind.lowercased()) \"\(target.name)\" not found")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func key(_ resource: ResourceKind, _ name: String) -> ObjectKey {
        ObjectKey(kind: resource.kind, namespace: resource.isNamespaced ? namespace : "", name: name)
    }
}
