public import API

/// The objects a container's environment is built from: the Services, ConfigMaps and Secrets of the pod's
/// namespace as they are when the container starts.
public struct EnvironmentSources: Sendable {
    /// Services whose variables are injected (the pod's namespace, when `enableServiceLinks` is not false).
    public var services: [Service]
    /// ConfigMaps by name.
    public var configMaps: [String: ConfigMap]
    /// Secrets by name.
    public var secrets: [String: Secret]

    /// Creates sources.
    public init(services: [Service] = [], configMaps: [String: ConfigMap] = [:], secrets: [String: Secret] = [:]) {
        self.services = services
        self.configMaps = configMaps
        self.secrets = secrets
    }
}

/// One container's resolved process configuration: environment, command and arguments, built the way the
/// kubelet builds them.
public struct ContainerEnvironment: Sendable, Hashable {
    /// The final environment: Service variables, then `envFrom`, then `env`, then the runtime variables (`PORT`,
    /// `PORT_<NAME>`, `POD_NAME`, `POD_NAMESPACE`, `POD_IP`); a later definition of a name wins.
    public var variables: [EnvironmentVariable]
    /// `command` with `$(VAR)` references expanded.
    public var command: [String]
    /// `args` with `$(VAR)` references expanded.
    public var args: [String]
    /// `envFrom` keys skipped because they are not valid variable names (for an `InvalidEnvironmentVariableNames`
    /// event).
    public var invalidNames: [String]

    /// What the node knows about the pod beyond its object.
    public struct Context: Sendable, Hashable {
        /// The node's name (for `spec.nodeName` when the pod names none).
        public var nodeName: String
        /// The pod's IP (every pod here shares 127.0.0.1).
        public var podIP: String
        /// The node's IP.
        public var hostIP: String

        /// Creates a context.
        public init(nodeName: String, podIP: String = "127.0.0.1", hostIP: String = "127.0.0.1") {
            self.nodeName = nodeName
            self.podIP = podIP
            self.hostIP = hostIP
        }
    }

    /// Resolves a container's environment, command and arguments.
    ///
    /// `$(VAR)` in an `env[].value` expands from the variables defined before it (`envFrom`, earlier `env`
    /// entries), then the Service variables, then the runtime variables; in `command` and `args` from the final
    /// environment. Values taken from ConfigMaps, Secrets and fields are not expanded (as in Kubernetes).
    ///
    /// - Throws: `NodeError.Code.containerConfig` for a missing ConfigMap, Secret or key that is not optional,
    ///   an unsupported field reference, or a `resourceFieldRef` (the kubelet reports these as
    ///   `CreateContainerConfigError`).
    public static func resolve(
        _ container: Container, of pod: Pod, sources: EnvironmentSources, ports: [PortBinding], context: Context
    ) throws(NodeError) -> ContainerEnvironment {
        let services = pod.spec.enableServiceLinks == false ? [] : sources.services
        let serviceVariables = ServiceEnvironment.variables(for: services)
        var serviceValues: [String: String] = [:]
        for variable in serviceVariables { serviceValues[variable.name] = variable.value }
        let id = ContainerID(namespace: pod.metadata.namespace, pod: pod.metadata.name, container: container.name)
        let runtimeVariables = RuntimeEnvironment.variables(for: id, ports: ports, podIP: context.podIP)
        var runtimeValues: [String: String] = [:]
        for variable in runtimeVariables { runtimeValues[variable.name] = variable.value }

        var defined: [EnvironmentVariable] = []
        var definedValues: [String: String] = [:]
        var invalidNames: [String] = []
        func define(_ name: String, _ value: String) {
            defined.append(EnvironmentVariable(name: name, value: value))
            definedValues[name] = value
        }

        for source in container.envFrom {
            let prefix = source.prefix ?? ""
            if let reference = source.configMapRef {
                guard let configMap = sources.configMaps[reference.name] else {
                    if reference.optional == true { continue }
                    throw NodeError(.containerConfig, "configmap \"\(reference.name)\" not found")
                }
                for key in configMap.data.keys.sorted() {
                    let name = prefix + key
                    guard isValidName(name) else {
                        invalidNames.append(name)
                        continue
                    }
                    define(name, configMap.data[key] ?? "")
                }
            } else if let reference = source.secretRef {
                guard let secret = sources.secrets[reference.name] else {
                    if reference.optional == true { continue }
                    throw NodeError(.containerConfig, "secret \"\(reference.name)\" not found")
                }
                let data = secretData(secret)
                for key in data.keys.sorted() {
                    let name = prefix + key
                    guard isValidName(name) else {
                        invalidNames.append(name)
                        continue
                    }
                    define(name, data[key] ?? "")
                }
            }
        }

        for variable in container.env {
            if let source = variable.valueFrom {
                guard
                    let value = try value(
                        of: source, variable: variable.name, container: container, pod: pod, sources: sources,
                        context: context)
                else { continue }  // an optional key that is missing: the variable is left out
                define(variable.name, value)
            } else {
                let value = VariableExpansion.expand(variable.value ?? "") { name in
                    definedValues[name] ?? serviceValues[name] ?? runtimeValues[name]
                }
                define(variable.name, value)
            }
        }

        let variables = RuntimeEnvironment.merge(serviceVariables, defined, runtimeVariables)
        var finalValues: [String: String] = [:]
        for variable in variables { finalValues[variable.name] = variable.value }
        return ContainerEnvironment(
            variables: variables,
            command: container.command.map { VariableExpansion.expand($0, variables: finalValues) },
            args: container.args.map { VariableExpansion.expand($0, variables: finalValues) },
            invalidNames: invalidNames)
    }

    /// Whether `name` can be an environment variable: printable ASCII without `=`, not empty (Kubernetes'
    /// relaxed rule).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 >= 32 && $0 < 127 && $0 != UInt8(ascii: "=") }
    }

    /// A Secret's values as text: `data` (already base64-decoded) with `stringData` over it.
    static func secretData(_ secret: Secret) -> [String: String] {
        var values = secret.data.mapValues { String(decoding: $0, as: UTF8.self) }
        for (key, value) in secret.stringData { values[key] = value }
        return values
    }

    /// The value of one `valueFrom`; nil when an optional source is missing.
    private static func value(
        of source: EnvVarSource, variable: String, container: Container, pod: Pod, sources: EnvironmentSources,
        context: Context
    ) throws(NodeError) -> String? {
        if let selector = source.configMapKeyRef {
            guard let configMap = sources.configMaps[selector.name] else {
                if selector.optional == true { return nil }
                throw NodeError(.containerConfig, "configmap \"\(selector.name)\" not found")
            }
            guard let value = configMap.data[selector.key] else {
                if selector.optional == true { return nil }
                throw NodeError(
                    .containerConfig,
                    "couldn't find key \(selector.key) in ConfigMap \(pod.metadata.namespace)/\(selector.name)")
            }
            return value
        }
        if let selector = source.secretKeyRef {
            guard let secret = sources.secrets[selector.name] else {
                if selector.optional == true { return nil }
                throw NodeError(.containerConfig, "secret \"\(selector.name)\" not found")
            }
            guard let value = secretData(secret)[selector.key] else {
                if selector.optional == true { return nil }
                throw NodeError(
                    .containerConfig,
                    "couldn't find key \(selector.key) in Secret \(pod.metadata.namespace)/\(selector.name)")
            }
            return value
        }
        if let field = source.fieldRef {
            return try fieldValue(field.fieldPath, variable: variable, pod: pod, context: context)
        }
        if let resource = source.resourceFieldRef {
            throw NodeError(
                .containerConfig,
                "env \(variable): resourceFieldRef (\(resource.resource)) is not supported: gitopsd runs containers "
                    + "as local processes without resource limits")
        }
        throw NodeError(.containerConfig, "env \(variable): valueFrom names no source gitopsd supports")
    }

    /// A `fieldRef` value, as the kubelet resolves it (a missing label or annotation is empty).
    static func fieldValue(_ path: String, variable: String, pod: Pod, context: Context) throws(NodeError) -> String {
        switch path {
        case "metadata.name": return pod.metadata.name
        case "metadata.namespace": return pod.metadata.namespace
        case "metadata.uid": return pod.metadata.uid ?? ""
        case "spec.nodeName": return pod.spec.nodeName ?? context.nodeName
        case "spec.serviceAccountName": return pod.spec.serviceAccountName ?? "default"
        case "status.podIP", "status.podIPs": return context.podIP
        case "status.hostIP", "status.hostIPs": return context.hostIP
        default: break
        }
        for (prefix, map) in [
            ("metadata.labels", pod.metadata.labels), ("metadata.annotations", pod.metadata.annotations),
        ]
        where path.hasPrefix(prefix + "[") && path.hasSuffix("]") {
            var key = String(path.dropFirst(prefix.count + 1).dropLast())
            if key.count >= 2, let quote = key.first, quote == "'" || quote == "\"", key.last == quote {
                key = String(key.dropFirst().dropLast())
            }
            return map[key] ?? ""
        }
        throw NodeError(.containerConfig, "env \(variable): unsupported fieldRef \"\(path)\"")
    }
}
