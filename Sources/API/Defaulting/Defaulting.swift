/// Kubernetes' defaulting for the supported kinds (kubernetes/api `SetDefaults_*` and the registry
/// strategies), applied before validation and before computing the canonical form.
///
/// Defaults: namespace `default` for namespaced kinds; pod spec `restartPolicy: Always`,
/// `terminationGracePeriodSeconds: 30`, `dnsPolicy: ClusterFirst`, `schedulerName: default-scheduler`,
/// `enableServiceLinks: true`; containers `imagePullPolicy` (`Always` for `:latest` or no tag, else
/// `IfNotPresent`), `terminationMessagePath: /dev/termination-log`, `terminationMessagePolicy: File`, port
/// `protocol: TCP`, `fieldRef.apiVersion: v1`; probes `timeoutSeconds: 1`, `periodSeconds: 10`,
/// `successThreshold: 1`, `failureThreshold: 3`, `httpGet.path: /`, `httpGet.scheme: HTTP`; Deployment
/// `replicas: 1`, `strategy: RollingUpdate 25%/25%`, `revisionHistoryLimit: 10`, `progressDeadlineSeconds: 600`;
/// ReplicaSet `replicas: 1`; Service `type: ClusterIP`, `sessionAffinity: None` (ClientIP timeout 10800),
/// port `protocol: TCP`, `targetPort` = `port`, `internalTrafficPolicy: Cluster`, `externalTrafficPolicy:
/// Cluster` (NodePort, LoadBalancer), `allocateLoadBalancerNodePorts: true` (LoadBalancer); Secret
/// `type: Opaque` with `stringData` merged into `data`; Endpoints port `protocol: TCP`.
enum Defaulting {
    static func apply(_ object: inout TypedObject) {
        switch object {
        case .namespace: break
        case .configMap(var o):
            namespace(&o.metadata)
            object = .configMap(o)
        case .secret(var o):
            namespace(&o.metadata)
            if o.type == nil { o.type = "Opaque" }
            for (key, value) in o.stringData { o.data[key] = Array(value.utf8) }
            o.stringData = [:]
            object = .secret(o)
        case .pod(var o):
            namespace(&o.metadata)
            podSpec(&o.spec)
            object = .pod(o)
        case .service(var o):
            namespace(&o.metadata)
            service(&o.spec)
            object = .service(o)
        case .endpoints(var o):
            namespace(&o.metadata)
            for s in o.subsets.indices {
                for p in o.subsets[s].ports.indices where o.subsets[s].ports[p].protocol == nil {
                    o.subsets[s].ports[p].protocol = "TCP"
                }
            }
            object = .endpoints(o)
        case .deployment(var o):
            namespace(&o.metadata)
            deployment(&o.spec)
            object = .deployment(o)
        case .replicaSet(var o):
            namespace(&o.metadata)
            if o.spec.replicas == nil { o.spec.replicas = 1 }
            podSpec(&o.spec.template.spec)
            object = .replicaSet(o)
        case .ingress(var o):
            namespace(&o.metadata)
            object = .ingress(o)
        }
    }

    static func namespace(_ metadata: inout ObjectMeta) {
        if metadata.namespace.isEmpty { metadata.namespace = "default" }
    }

    static func deployment(_ spec: inout DeploymentSpec) {
        if spec.replicas == nil { spec.replicas = 1 }
        var strategy = spec.strategy ?? DeploymentStrategy()
        if strategy.type == nil { strategy.type = "RollingUpdate" }
        if strategy.type == "RollingUpdate" {
            var rolling = strategy.rollingUpdate ?? RollingUpdateDeployment()
            if rolling.maxUnavailable == nil { rolling.maxUnavailable = .string("25%") }
            if rolling.maxSurge == nil { rolling.maxSurge = .string("25%") }
            strategy.rollingUpdate = rolling
        }
        spec.strategy = strategy
        if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = 10 }
        if spec.progressDeadlineSeconds == nil { spec.progressDeadlineSeconds = 600 }
        podSpec(&spec.template.spec)
    }

    static func podSpec(_ spec: inout PodSpec) {
        if spec.restartPolicy == nil { spec.restartPolicy = "Always" }
        if spec.terminationGracePeriodSeconds == nil { spec.terminationGracePeriodSeconds = 30 }
        if spec.dnsPolicy == nil { spec.dnsPolicy = "ClusterFirst" }
        if spec.schedulerName == nil { spec.schedulerName = "default-scheduler" }
        if spec.enableServiceLinks == nil { spec.enableServiceLinks = true }
        for index in spec.containers.indices { container(&spec.containers[index]) }
        for index in spec.initContainers.indices { container(&spec.initContainers[index]) }
    }

    static func container(_ c: inout Container) {
        if c.imagePullPolicy == nil, let image = c.image { c.imagePullPolicy = pullPolicy(forImage: image) }
        if c.terminationMessagePath == nil { c.terminationMessagePath = "/dev/termination-log" }
        if c.terminationMessagePolicy == nil { c.terminationMessagePolicy = "File" }
        for index in c.ports.indices where c.ports[index].protocol == nil { c.ports[index].protocol = "TCP" }
        for index in c.env.indices {
            if var field = c.env[index].valueFrom?.fieldRef, field.apiVersion == nil {
                field.apiVersion = "v1"
                c.env[index].valueFrom?.fieldRef = field
            }
        }
        if c.livenessProbe != nil { probe(&c.livenessProbe!) }
        if c.readinessProbe != nil { probe(&c.readinessProbe!) }
        if c.startupProbe != nil { probe(&c.startupProbe!) }
    }

    /// `Always` for an image without a tag or tagged `latest`; `IfNotPresent` otherwise (digests included).
    static func pullPolicy(forImage image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    static func probe(_ p: inout Probe) {
        if p.timeoutSeconds == nil { p.timeoutSeconds = 1 }
        if p.periodSeconds == nil { p.periodSeconds = 10 }
        if p.successThreshold == nil { p.successThreshold = 1 }
        if p.failureThreshold == nil { p.failureThreshold = 3 }
        if var http = p.httpGet {
            if http.path == nil { http.path = "/" }
            if http.scheme == nil { http.scheme = "HTTP" }
            p.httpGet = http
        }
    }

    static func service(_ spec: inout ServiceSpec) {
        if spec.type == nil { spec.type = "ClusterIP" }
        if spec.sessionAffinity == nil { spec.sessionAffinity = "None" }
        if spec.sessionAffinity == "ClientIP" && spec.sessionAffinityTimeoutSeconds == nil {
            spec.sessionAffinityTimeoutSeconds = 10800
        }
        for index in spec.ports.indices {
            if spec.ports[index].protocol == nil { spec.ports[index].protocol = "TCP" }
            if spec.ports[index].targetPort == nil { spec.ports[index].targetPort = .int(spec.ports[index].port) }
        }
        if spec.type != "ExternalName" && spec.internalTrafficPolicy == nil { spec.internalTrafficPolicy = "Cluster" }
        if spec.type == "NodePort" || spec.type == "LoadBalancer" {
            if spec.externalTrafficPolicy == nil { spec.externalTrafficPolicy = "Cluster" }
        }
        if spec.type == "LoadBalancer" && spec.allocateLoadBalancerNodePorts == nil {
            spec.allocateLoadBalancerNodePorts = true
        }
    }
}

extension TypedObject {
    /// This object with Kubernetes' defaults applied (see `Defaulting` for the list).
    public func defaulted() -> TypedObject {
        var copy = self
        Defaulting.apply(&copy)
        return copy
    }

    /// The canonical form: defaulted; `status` and server-maintained metadata (uid, resourceVersion,
    /// generation, timestamps, managedFields, selfLink) removed; integral numbers as integers; empty lists,
    /// maps, empty strings and nulls left out where Kubernetes treats them as absent (`omitempty`). Two manifests that mean the same thing
    /// have equal canonical values; this is what diffs compare.
    public var canonicalValue: Value {
        var value = defaulted().toValue()
        value["status"] = nil
        if var metadata = value["metadata"] {
            for key in [
                "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds", "managedFields", "selfLink",
            ] {
                metadata[key] = nil
            }
            value["metadata"] = metadata
        }
        return Canonical.normalize(value) ?? .object([:])
    }

    /// `canonicalValue` as compact JSON with sorted keys: equal bytes for equal meaning.
    public var canonicalJSON: [UInt8] { canonicalValue.jsonBytes }
}

/// Number normalisation for the canonical form, applied to retained (untyped) fields too. Empty maps are kept
/// inside untyped fields, where they can carry meaning (`emptyDir: {}`); typed fields already leave out what
/// Kubernetes treats as absent.
enum Canonical {
    /// The value with integral doubles as integers and null object members removed.
    static func normalize(_ value: Value) -> Value? {
        switch value {
        case .null: return nil
        case .double(let double):
            if double.rounded() == double, abs(double) < 9.0e15 { return .int(Int64(double)) }
            return value
        case .array(let elements):
            return .array(elements.map { normalize($0) ?? .null })
        case .object(let members):
            var result: [String: Value] = [:]
            result.reserveCapacity(members.count)
            for (key, member) in members {
                if let normalized = normalize(member) { result[key] = normalized }
            }
            return .object(result)
        default:
            return value
        }
    }
}
