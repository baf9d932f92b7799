import API
import ArgumentParser
import Orchestrator

/// `gitopsd get KIND [NAME...]`: lists objects from the store with kubectl's columns.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List objects (deployments, pods, services, ...).",
        discussion: "KIND is any name kubectl accepts: deployment, deployments, deploy, svc, ing, cm, ns, po, rs, ep.")

    @Argument(help: "KIND, KIND/NAME, or KIND followed by names.")
    var arguments: [String]

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "Namespace (default: default).")
    var namespace: String = "default"

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List across all namespaces.")
    var allNamespaces = false

    @Option(name: [.customShort("l"), .customLong("selector")], help: "Label selector, e.g. app=web,tier!=db.")
    var selector: String?

    @OptionGroup var output: OutputOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions

    func validate() throws {
        if arguments.isEmpty { throw ValidationError("name a kind, e.g. `gitopsd get deployments`") }
    }

    func run() async throws {
        let (resource, inlineName) = try ResourceArgument.split(arguments[0])
        let names = (inlineName.map { [$0] } ?? []) + arguments.dropFirst()
        let labelSelector = try selector.map { try LabelSelector(parsing: $0) } ?? .everything
        let store = try dataDirectory.openStore()
        let scope: String? = !resource.isNamespaced ? "" : (allNamespaces ? nil : namespace)

        var objects: [Value]
        if names.isEmpty {
            objects = try await store.list(kind: resource.kind, namespace: scope, selector: labelSelector).items
        } else {
            objects = []
            for name in names {
                let key = ObjectKey(kind: resource.kind, namespace: scope ?? namespace, name: name)
                do {
                    objects.append(try await store.get(key))
                } catch let error as StoreError where error.code == .notFound {
                    throw CLIError("\(resource.plural) \"\(name)\" not found")
                }
            }
        }

        switch output.format {
        case .json, .yaml:
            let document: Value =
                names.count == 1 && objects.count == 1
                ? objects[0]
                : ["apiVersion": "v1", "kind": "List", "items": .array(objects), "metadata": ["resourceVersion": ""]]
            printResult(output.format == .json ? document.jsonString : document.yamlString, terminator: output.format == .json ? "\n" : "")
        case .text, .wide:
            guard !objects.isEmpty else {
                let place = !resource.isNamespaced || allNamespaces ? "" : " in \(namespace) namespace"
                printError("No resources found\(place).")
                return
            }
            let wide = output.format == .wide
            let showNamespace = resource.isNamespaced && allNamespaces
            var table = Table((showNamespace ? ["NAMESPACE"] : []) + ObjectColumns.headers(for: resource.kind, wide: wide))
            for object in objects {
                let row = ObjectColumns.row(for: object, wide: wide)
                table.append((showNamespace ? [object[path: ["metadata", "namespace"]]?.stringValue ?? ""] : []) + row)
            }
            printResult(table.render())
        }
    }
}
