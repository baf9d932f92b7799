import API
import ArgumentParser
import Orchestrator
import Reconciler

/// `gitopsd apply -f FILE|DIR`: writes objects to the store directly, as `kubectl apply` does to a cluster.
///
/// Every file is loaded and validated before anything is written: one invalid manifest applies nothing.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or update objects from manifest files or directories.",
        discussion: """
            Prints one line per object: `deployment/web created`, `configured` or `unchanged`. Objects are \
            applied in dependency order (namespaces, configuration, services, workloads, ingress).
            """)

    @Option(name: [.customShort("f"), .customLong("filename")], help: "A manifest file or directory (repeatable).")
    var files: [String] = []

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "Namespace for objects that do not name one.")
    var namespace: String?

    @OptionGroup var dataDirectory: DataDirectoryOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one -f FILE or DIR") }
    }

    func run() async throws {
        let set = ManifestLoader().load(paths: files)
        guard set.isValid else {
            for error in set.errors { printError(error.description) }
            throw CLIError("nothing applied: \(set.errors.count) problem(s) in the manifests")
        }
        for warning in set.warnings { printError("warning: \(warning)") }
        let objects = try set.objects.map { loaded -> TypedObject in
            guard let namespace, loaded.object.resource.isNamespaced,
                loaded.value[path: ["metadata", "namespace"]] == nil
            else { return loaded.object }
            var value = loaded.value
            value[path: ["metadata", "namespace"]] = .string(namespace)
            return try TypedObject(value)
        }
        let store = try dataDirectory.openStore()
        var failures = 0
        for object in objects.sorted(by: { ApplyOrder.precedes($0.key, $1.key) }) {
            do {
                let outcome = try await Self.apply(object.canonicalValue, to: store)
                printResult("\(ResourceArgument.display(object.key)) \(outcome.rawValue)")
            } catch {
                failures += 1
                printError("error: \(ResourceArgument.display(object.key)): \(error)")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// Creates or updates one object, keeping what the cluster owns in the live copy.
    static func apply(_ desired: Value, to store: some ObjectStore) async throws -> WriteResult.Outcome {
        guard let key = ObjectKey(desired) else { throw CLIError("object without kind or name") }
        var merged = desired
        if let live = try? await store.get(key) {
            merged = ServerOwnedFields.carryOver(from: live, into: desired)
        }
        return try await store.apply(merged).outcome
    }
}
