public import API
import Foundation

/// The host ports of a pod's container ports, as the node agent publishes them on the pod: the annotation
/// `gitopsd.io/ports`, a JSON list of `{container, name, containerPort, hostPort, hostIP}`.
///
/// The kubelet writes it once, when it allocates the pod's ports (a metadata update), and never changes it for
/// the life of the pod. Readers (the Endpoints controller, Service proxies) resolve a Service's `targetPort`
/// through it, since every pod here shares 127.0.0.1 and listens on its allocated host ports.
public struct PodPorts: Sendable, Hashable {
    /// The annotation's key.
    public static let annotation = "gitopsd.io/ports"

    /// The bindings, in the order of the pod's containers and their ports.
    public var bindings: [PortBinding]

    /// Wraps bindings.
    public init(_ bindings: [PortBinding]) {
        self.bindings = bindings
    }

    /// The ports published on `pod`; nil when the node agent has not allocated them yet or the annotation is
    /// not valid JSON of the expected shape.
    public init?(pod: Pod) {
        guard let text = pod.metadata.annotations[Self.annotation], let decoded = Self.decode(text) else {
            return nil
        }
        self.bindings = decoded
    }

    /// The annotation's value: compact JSON, keys sorted.
    public var annotationValue: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(bindings) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses an annotation value; nil when it is not a JSON list of bindings.
    public static func decode(_ text: String) -> [PortBinding]? {
        try? JSONDecoder().decode([PortBinding].self, from: Data(text.utf8))
    }

    /// The binding a Service port's `targetPort` selects: a number matches a `containerPort`, a name matches a
    /// port's `name` (the first container declaring it wins, as Kubernetes resolves named ports).
    public func binding(for targetPort: IntOrString) -> PortBinding? {
        switch targetPort {
        case .int(let number): bindings.first { $0.containerPort == number }
        case .string(let name): bindings.first { $0.name == name }
        }
    }

    /// The bindings of one container.
    public func bindings(ofContainer container: String) -> [PortBinding] {
        bindings.filter { $0.container == container }
    }
}
