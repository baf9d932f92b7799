/// One supported kind, as the registry knows it: names, API version, scope and kubectl aliases.
///
/// The CLI resolves `gitopsd get deploy` through `ResourceKind.lookup(_:)`; the loader resolves
/// `apiVersion`/`kind` through `ResourceKind.forKind(_:)`.
public struct ResourceKind: Sendable, Hashable, CustomStringConvertible {
    /// `Deployment`.
    public let kind: String
    /// `apps`; empty for the core group.
    public let group: String
    /// `v1`.
    public let version: String
    /// `deployments`: the resource name in URLs.
    public let plural: String
    /// `deployment`.
    public let singular: String
    /// kubectl's short names: `deploy`.
    public let shortNames: [String]
    /// Whether objects of this kind live in a namespace.
    public let isNamespaced: Bool
    /// How the names of objects of this kind are validated.
    let nameRule: NameRule

    enum NameRule: Sendable, Hashable {
        case dns1123Subdomain, dns1123Label, dns1035Label
    }

    /// `apps/v1`, or `v1` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { "\(kind).\(apiVersion)" }

    public static let namespace = ResourceKind(
        kind: "Namespace", group: "", version: "v1", plural: "namespaces", singular: "namespace", shortNames: ["ns"],
        isNamespaced: false, nameRule: .dns1123Label)
    public static let configMap = ResourceKind(
        kind: "ConfigMap", group: "", version: "v1", plural: "configmaps", singular: "configmap", shortNames: ["cm"],
        isNamespaced: true, nameRule: .dns1123Subdomain)
    public static let secret = ResourceKind(
        kind: "Secret", group: "", version: "v1", plural: "secrets", singular: "secret", shortNames: [],
        isNamespaced: true, nameRule: .dns1123Subdomain)
    public static let pod = ResourceKind(
        kind: "Pod", group: "", version: "v1", plural: "pods", singular: "pod", shortNames: ["po"],
        isNamespaced: true, nameRule: .dns1123Subdomain)
    public static let service = ResourceKind(
        kind: "Service", group: "", version: "v1", plural: "services", singular: "service", shortNames: ["svc"],
        isNamespaced: true, nameRule: .dns1035Label)
    public static let endpoints = ResourceKind(
        kind: "Endpoints", group: "", version: "v1", plural: "endpoints", singular: "endpoints", shortNames: ["ep"],
        isNamespaced: true, nameRule: .dns1123Subdomain)
    public static let deployment = ResourceKind(
        kind: "Deployment", group: "apps", version: "v1", plural: "deployments", singular: "deployment",
        shortNames: ["deploy"], isNamespaced: true, nameRule: .dns1123Subdomain)
    public static let replicaSet = ResourceKind(
        kind: "ReplicaSet", group: "apps", version: "v1", plural: "replicasets", singular: "replicaset",
        shortNames: ["rs"], isNamespaced: true, nameRule: .dns1123Subdomain)
    public static let ingress = ResourceKind(
        kind: "Ingress", group: "networking.k8s.io", version: "v1", plural: "ingresses", singular: "ingress",
        shortNames: ["ing"], isNamespaced: true, nameRule: .dns1123Subdomain)

    /// Every supported kind, in the order objects of them are applied (namespaces and configuration first,
    /// workloads next, routing last).
    public static let all: [ResourceKind] = [
        .namespace, .configMap, .secret, .service, .endpoints, .deployment, .replicaSet, .pod, .ingress,
    ]

    private static let byKind: [String: ResourceKind] = Dictionary(uniqueKeysWithValues: all.map { ($0.kind, $0) })

    private static let byAlias: [String: ResourceKind] = {
        var aliases: [String: ResourceKind] = [:]
        for resource in all {
            var names = [resource.kind.lowercased(), resource.plural, resource.singular] + resource.shortNames
            if !resource.group.isEmpty { names += [resource.plural, resource.singular].map { "\($0).\(resource.group)" } }
            for name in names { aliases[name] = resource }
        }
        return aliases
    }()

    /// The kind named by `name` as kubectl accepts it: kind, plural, singular or short name, any case,
    /// optionally qualified by group (`deployments.apps`).
    public static func lookup(_ name: String) -> ResourceKind? {
        byAlias[name.lowercased()]
    }

    /// The kind with exactly this `kind` name (`Deployment`).
    public static func forKind(_ kind: String) -> ResourceKind? {
        byKind[kind]
    }

    /// `Deployment (apps/v1), ...`: for "unknown kind" messages.
    public static var supportedList: String {
        all.map { "\($0.kind) (\($0.apiVersion))" }.joined(separator: ", ")
    }
}
