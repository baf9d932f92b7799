import API

/// A kind named on the command line the way kubectl accepts it (`deploy`, `svc`, `deployments.apps`).
struct ResourceArgument {
    let resource: ResourceKind

    init(_ name: String) throws {
        guard let resource = ResourceKind.lookup(name) else {
            throw CLIError("the server doesn't have a resource type \"\(name)\"; supported: \(ResourceKind.supportedList)")
        }
        self.resource = resource
    }

    /// Splits `KIND/NAME` (as in `deployment/web`); a bare word is a kind.
    static func split(_ argument: String) throws -> (resource: ResourceKind, name: String?) {
        let parts = argument.split(separator: "/", maxSplits: 1).map(String.init)
        let resource = try ResourceArgument(parts[0]).resource
        return (resource, parts.count == 2 ? parts[1] : nil)
    }

    /// `deployment/web`: the short form apply, delete and rollout print.
    static func display(_ key: ObjectKey) -> String {
        "\(key.kind.lowercased())/\(key.name)"
    }
}
