/// Builds the variables the node agent gives every container, and merges environment lists.
public enum RuntimeEnvironment {
    /// The runtime variables of one container: `POD_NAME`, `POD_NAMESPACE`, `POD_IP`, then `PORT` (the host
    /// port of the container's first port) and `PORT_<NAME>` for each named port (upper-cased, `-` and `.`
    /// turned into `_`).
    ///
    /// - Parameters:
    ///   - id: the container.
    ///   - ports: the container's port bindings in declaration order (other containers' bindings are ignored).
    ///   - podIP: the pod's address; every pod here shares 127.0.0.1.
    public static func variables(for id: ContainerID, ports: [PortBinding], podIP: String = "127.0.0.1")
        -> [EnvironmentVariable]
    {
        var variables = [
            EnvironmentVariable(name: "POD_NAME", value: id.pod),
            EnvironmentVariable(name: "POD_NAMESPACE", value: id.namespace),
            EnvironmentVariable(name: "POD_IP", value: podIP),
        ]
        let own = ports.filter { $0.container == id.container }
        if let first = own.first {
            variables.append(EnvironmentVariable(name: "PORT", value: String(first.hostPort)))
        }
        for binding in own {
            guard let name = binding.name, !name.isEmpty else { continue }
            variables.append(EnvironmentVariable(name: portVariableName(name), value: String(binding.hostPort)))
        }
        return variables
    }

    /// `PORT_<NAME>` for a port name: `http-admin` becomes `PORT_HTTP_ADMIN`.
    public static func portVariableName(_ portName: String) -> String {
        let converted = portName.uppercased().map { character -> Character in
            character.isLetter || character.isNumber ? character : "_"
        }
        return "PORT_" + String(converted)
    }

    /// Merges environment lists: later lists win, a name appears once, at the position of its last definition.
    ///
    /// Callers put the runtime variables last, so a manifest cannot point `PORT` away from the allocated port.
    public static func merge(_ lists: [EnvironmentVariable]...) -> [EnvironmentVariable] {
        let all = lists.flatMap { $0 }
        var lastIndex: [String: Int] = [:]
        for (index, variable) in all.enumerated() { lastIndex[variable.name] = index }
        return all.enumerated().filter { lastIndex[$0.element.name] == $0.offset }.map(\.element)
    }
}
