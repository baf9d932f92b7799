/// `spec` of a Pod and of the pod template in Deployments and ReplicaSets.
///
/// Typed fields are the ones gitopsd's node agent acts on or defaults; every other field Kubernetes defines
/// (volumes, affinity, tolerations, securityContext, ...) is accepted and kept in `retainedFields`.
public struct PodSpec: Sendable, Hashable {
    public var containers: [Container] = []
    public var initContainers: [Container] = []
    /// `Always` (default), `OnFailure` or `Never`.
    public var restartPolicy: String?
    public var terminationGracePeriodSeconds: Int?
    public var activeDeadlineSeconds: Int?
    /// `ClusterFirst` (default), `ClusterFirstWithHostNet`, `Default` or `None`.
    public var dnsPolicy: String?
    public var nodeName: String?
    public var hostname: String?
    public var subdomain: String?
    public var serviceAccountName: String?
    public var schedulerName: String?
    /// Whether Service environment variables are injected (default true).
    public var enableServiceLinks: Bool?
    public var retainedFields: [String: Value] = [:]

    public init(containers: [Container] = []) { self.containers = containers }
}

/// `spec.template` of Deployments and ReplicaSets.
public struct PodTemplateSpec: Sendable, Hashable {
    public var metadata = ObjectMeta()
    public var spec = PodSpec()

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec = PodSpec()) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// One container: a process the node agent runs.
public struct Container: Sendable, Hashable {
    public var name = ""
    public var image: String?
    public var command: [String] = []
    public var args: [String] = []
    public var workingDir: String?
    public var ports: [ContainerPort] = []
    public var envFrom: [EnvFromSource] = []
    public var env: [EnvVar] = []
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    /// `Always`, `IfNotPresent` or `Never`; defaulted from the image tag.
    public var imagePullPolicy: String?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: String?
    /// Only on init containers: `Always` makes a sidecar.
    public var restartPolicy: String?
    /// resources, volumeMounts, securityContext, lifecycle, ... kept as written.
    public var retainedFields: [String: Value] = [:]

    public init(name: String = "", image: String? = nil) {
        self.name = name
        self.image = image
    }
}

/// `containers[].ports[]`.
public struct ContainerPort: Sendable, Hashable {
    public var name: String?
    public var containerPort = 0
    /// `TCP` (default), `UDP` or `SCTP`.
    public var `protocol`: String?
    public var hostPort: Int?
    public var hostIP: String?

    public init(name: String? = nil, containerPort: Int = 0) {
        self.name = name
        self.containerPort = containerPort
    }
}

/// `env[]`: a literal value or one taken from a ConfigMap, Secret or the pod's own fields.
public struct EnvVar: Sendable, Hashable {
    public var name = ""
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String = "", value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// `env[].valueFrom`: exactly one source.
public struct EnvVarSource: Sendable, Hashable {
    public var configMapKeyRef: KeySelector?
    public var secretKeyRef: KeySelector?
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    /// `fileKeyRef` and any other source gitopsd does not act on.
    public var retainedFields: [String: Value] = [:]

    public init() {}
}

/// A key in a ConfigMap or Secret (`configMapKeyRef`, `secretKeyRef`).
public struct KeySelector: Sendable, Hashable {
    public var name = ""
    public var key = ""
    public var optional: Bool?

    public init(name: String = "", key: String = "", optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// `fieldRef`: a field of the pod (`metadata.name`, `status.podIP`, ...).
public struct ObjectFieldSelector: Sendable, Hashable {
    public var apiVersion: String?
    public var fieldPath = ""

    public init(fieldPath: String = "") { self.fieldPath = fieldPath }
}

/// `resourceFieldRef`: a container's resource limit or request.
public struct ResourceFieldSelector: Sendable, Hashable {
    public var containerName: String?
    public var resource = ""
    public var divisor: Value?

    public init(resource: String = "") { self.resource = resource }
}

/// `envFrom[]`: every key of a ConfigMap or Secret, optionally prefixed.
public struct EnvFromSource: Sendable, Hashable {
    public var prefix: String?
    public var configMapRef: LocalObjectReference?
    public var secretRef: LocalObjectReference?

    public init() {}
}

/// A reference by name to an object in the same namespace, possibly optional.
public struct LocalObjectReference: Sendable, Hashable {
    public var name = ""
    public var optional: Bool?

    public init(name: String = "", optional: Bool? = nil) {
        self.name = name
        self.optional = optional
    }
}

// MARK: - Value coding

extension PodSpec: ValueCodable {
    static let fields: Set<String> = [
        "containers", "initContainers", "restartPolicy", "terminationGracePeriodSeconds", "activeDeadlineSeconds",
        "dnsPolicy", "nodeName", "hostname", "subdomain", "serviceAccountName", "schedulerName", "enableServiceLinks",
    ]
    static let retained: Set<String> = [
        "volumes", "ephemeralContainers", "nodeSelector", "serviceAccount", "automountServiceAccountToken",
        "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets",
        "affinity", "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates",
        "runtimeClassName", "preemptionPolicy", "overhead", "topologySpreadConstraints", "setHostnameAsFQDN", "os",
        "hostUsers", "schedulingGates", "resourceClaims", "resources", "hostnameOverride",
    ]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> PodSpec? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "PodSpec") else { return nil }
        r.checkFields(fields, retained: retained, type: "PodSpec")
        var s = PodSpec()
        s.containers = r.list("containers")
        s.initContainers = r.list("initContainers")
        s.restartPolicy = r("restartPolicy")
        s.terminationGracePeriodSeconds = r("terminationGracePeriodSeconds")
        s.activeDeadlineSeconds = r("activeDeadlineSeconds")
        s.dnsPolicy = r("dnsPolicy")
        s.nodeName = r("nodeName")
        s.hostname = r("hostname")
        s.subdomain = r("subdomain")
        s.serviceAccountName = r("serviceAccountName")
        s.schedulerName = r("schedulerName")
        s.enableServiceLinks = r("enableServiceLinks")
        s.retainedFields = r.retainedFields(retained)
        return s
    }

    func toValue() -> Value {
        var w = ObjectWriter(retained: retainedFields)
        w["containers"] = containers
        w["initContainers"] = initContainers
        w["restartPolicy"] = restartPolicy
        w["terminationGracePeriodSeconds"] = terminationGracePeriodSeconds
        w["activeDeadlineSeconds"] = activeDeadlineSeconds
        w["dnsPolicy"] = dnsPolicy
        w["nodeName"] = nodeName
        w["hostname"] = hostname
        w["subdomain"] = subdomain
        w["serviceAccountName"] = serviceAccountName
        w["schedulerName"] = schedulerName
        w["enableServiceLinks"] = enableServiceLinks
        return w.value
    }
}

extension PodTemplateSpec: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> PodTemplateSpec? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "PodTemplateSpec") else { return nil }
        r.checkFields(["metadata", "spec"], type: "PodTemplateSpec")
        return PodTemplateSpec(metadata: r.object("metadata") ?? ObjectMeta(), spec: r.object("spec") ?? PodSpec())
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        let meta = metadata.toValue()
        if meta != .object([:]) { w.members["metadata"] = meta }
        w["spec"] = spec
        return w.value
    }
}

extension Container: ValueCodable {
    static let fields: Set<String> = [
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "livenessProbe", "readinessProbe",
        "startupProbe", "imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy", "restartPolicy",
    ]
    static let retained: Set<String> = [
        "resources", "resizePolicy", "volumeMounts", "volumeDevices", "lifecycle", "securityContext", "stdin",
        "stdinOnce", "tty", "restartPolicyRules",
    ]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> Container? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "Container") else { return nil }
        r.checkFields(fields, retained: retained, type: "Container")
        var c = Container()
        c.name = r("name") ?? ""
        c.image = r("image")
        c.command = r.list("command")
        c.args = r.list("args")
        c.workingDir = r("workingDir")
        c.ports = r.list("ports")
        c.envFrom = r.list("envFrom")
        c.env = r.list("env")
        c.livenessProbe = r.object("livenessProbe")
        c.readinessProbe = r.object("readinessProbe")
        c.startupProbe = r.object("startupProbe")
        c.imagePullPolicy = r("imagePullPolicy")
        c.terminationMessagePath = r("terminationMessagePath")
        c.terminationMessagePolicy = r("terminationMessagePolicy")
        c.restartPolicy = r("restartPolicy")
        c.retainedFields = r.retainedFields(retained)
        return c
    }

    func toValue() -> Value {
        var w = ObjectWriter(retained: retainedFields)
        w["name"] = name
        w["image"] = image
        w["command"] = command
        w["args"] = args
        w["workingDir"] = workingDir
        w["ports"] = ports
        w["envFrom"] = envFrom
        w["env"] = env
        w["livenessProbe"] = livenessProbe
        w["readinessProbe"] = readinessProbe
        w["startupProbe"] = startupProbe
        w["imagePullPolicy"] = imagePullPolicy
        w["terminationMessagePath"] = terminationMessagePath
        w["terminationMessagePolicy"] = terminationMessagePolicy
        w["restartPolicy"] = restartPolicy
        return w.value
    }
}

extension ContainerPort: ValueCodable {
    static let fields: Set<String> = ["name", "containerPort", "protocol", "hostPort", "hostIP"]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ContainerPort? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ContainerPort") else { return nil }
        r.checkFields(fields, type: "ContainerPort")
        var p = ContainerPort()
        p.name = r("name")
        p.containerPort = r("containerPort") ?? 0
        p.protocol = r("protocol")
        p.hostPort = r("hostPort")
        p.hostIP = r("hostIP")
        return p
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["name"] = name
        w["containerPort"] = containerPort
        w["protocol"] = self.protocol
        w["hostPort"] = hostPort == 0 ? nil : hostPort
        w["hostIP"] = hostIP
        return w.value
    }
}

extension EnvVar: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> EnvVar? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "EnvVar") else { return nil }
        r.checkFields(["name", "value", "valueFrom"], type: "EnvVar")
        var e = EnvVar()
        e.name = r("name") ?? ""
        e.value = r("value")
        e.valueFrom = r.object("valueFrom")
        return e
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["name"] = name
        w["value"] = value
        w["valueFrom"] = valueFrom
        return w.value
    }
}

extension EnvVarSource: ValueCodable {
    static let retained: Set<String> = ["fileKeyRef"]

    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> EnvVarSource? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "EnvVarSource") else { return nil }
        r.checkFields(
            ["configMapKeyRef", "secretKeyRef", "fieldRef", "resourceFieldRef"], retained: retained,
            type: "EnvVarSource")
        var s = EnvVarSource()
        s.configMapKeyRef = r.object("configMapKeyRef")
        s.secretKeyRef = r.object("secretKeyRef")
        s.fieldRef = r.object("fieldRef")
        s.resourceFieldRef = r.object("resourceFieldRef")
        s.retainedFields = r.retainedFields(retained)
        return s
    }

    func toValue() -> Value {
        var w = ObjectWriter(retained: retainedFields)
        w["configMapKeyRef"] = configMapKeyRef
        w["secretKeyRef"] = secretKeyRef
        w["fieldRef"] = fieldRef
        w["resourceFieldRef"] = resourceFieldRef
        return w.value
    }
}

extension KeySelector: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> KeySelector? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "KeySelector") else { return nil }
        r.checkFields(["name", "key", "optional"], type: "KeySelector")
        return KeySelector(name: r("name") ?? "", key: r("key") ?? "", optional: r("optional"))
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["name"] = name
        w["key"] = key
        w["optional"] = optional
        return w.value
    }
}

extension ObjectFieldSelector: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ObjectFieldSelector? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ObjectFieldSelector") else { return nil }
        r.checkFields(["apiVersion", "fieldPath"], type: "ObjectFieldSelector")
        var s = ObjectFieldSelector(fieldPath: r("fieldPath") ?? "")
        s.apiVersion = r("apiVersion")
        return s
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["apiVersion"] = apiVersion
        w["fieldPath"] = fieldPath
        return w.value
    }
}

extension ResourceFieldSelector: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> ResourceFieldSelector? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "ResourceFieldSelector") else { return nil }
        r.checkFields(["containerName", "resource", "divisor"], type: "ResourceFieldSelector")
        var s = ResourceFieldSelector(resource: r("resource") ?? "")
        s.containerName = r("containerName")
        s.divisor = r("divisor")
        return s
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["containerName"] = containerName
        w["resource"] = resource
        w["divisor"] = divisor
        return w.value
    }
}

extension EnvFromSource: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> EnvFromSource? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "EnvFromSource") else { return nil }
        r.checkFields(["prefix", "configMapRef", "secretRef"], type: "EnvFromSource")
        var s = EnvFromSource()
        s.prefix = r("prefix")
        s.configMapRef = r.object("configMapRef")
        s.secretRef = r.object("secretRef")
        return s
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["prefix"] = prefix
        w["configMapRef"] = configMapRef
        w["secretRef"] = secretRef
        return w.value
    }
}

extension LocalObjectReference: ValueCodable {
    static func decode(_ value: Value, at path: FieldPath, _ diagnostics: Diagnostics) -> LocalObjectReference? {
        guard let r = ObjectReader(value, at: path, diagnostics, type: "LocalObjectReference") else { return nil }
        r.checkFields(["name", "optional"], type: "LocalObjectReference")
        return LocalObjectReference(name: r("name") ?? "", optional: r("optional"))
    }

    func toValue() -> Value {
        var w = ObjectWriter()
        w["name"] = name
        w["optional"] = optional
        return w.value
    }
}
