/// Kubernetes' validation of the supported kinds (k/k `pkg/apis/core/validation`, `apps/validation`,
/// `networking/validation`), for objects after defaulting. Every problem is collected, with its field path.
struct Validator {
    let d: Diagnostics

    func fail(_ path: FieldPath, _ message: String, _ code: APIError.Code = .invalidValue) {
        d.error(code, path, message)
    }

    func required(_ path: FieldPath, _ what: String = "") {
        d.error(.required, path, what.isEmpty ? "Required value" : "Required value: \(what)")
    }

    func check(_ problems: [String], _ path: FieldPath, _ value: String) {
        for problem in problems { fail(path, "Invalid value: \"\(value)\": \(problem)") }
    }

    func oneOf(_ value: String?, _ allowed: [String], _ path: FieldPath) {
        guard let value else { return }
        if !allowed.contains(value) {
            fail(path, "Unsupported value: \"\(value)\": supported values: \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
    }

    func nonNegative(_ value: Int?, _ path: FieldPath) {
        if let value, value < 0 { fail(path, "Invalid value: \(value): must be greater than or equal to 0") }
    }

    func port(_ value: Int, _ path: FieldPath) {
        if value < 1 || value > 65535 { fail(path, "Invalid value: \(value): must be between 1 and 65535, inclusive") }
    }

    // MARK: Objects

    func validate(_ object: TypedObject) {
        let resource = object.resource
        metadata(object.metadata, resource: resource)
        switch object {
        case .namespace: break
        case .configMap(let o): configMap(o)
        case .secret(let o): secret(o)
        case .pod(let o): podSpec(o.spec, at: "spec")
        case .service(let o): service(o)
        case .endpoints(let o): endpoints(o)
        case .deployment(let o): deployment(o)
        case .replicaSet(let o): replicaSet(o)
        case .ingress(let o): ingress(o)
        }
    }

    func metadata(_ m: ObjectMeta, resource: ResourceKind) {
        let path = FieldPath("metadata")
        if m.name.isEmpty {
            if m.generateName == nil { required(path.child("name"), "name or generateName is required") }
        } else {
            let problems: [String]
            switch resource.nameRule {
            case .dns1123Label: problems = NameRules.dns1123Label(m.name)
            case .dns1035Label: problems = NameRules.dns1035Label(m.name)
            case .dns1123Subdomain: problems = NameRules.dns1123Subdomain(m.name)
            }
            check(problems, path.child("name"), m.name)
        }
        if resource.isNamespaced {
            if !m.namespace.isEmpty { check(NameRules.dns1123Label(m.namespace), path.child("namespace"), m.namespace) }
        } else if !m.namespace.isEmpty {
            fail(path.child("namespace"), "not allowed on this type: \(resource.kind) is cluster-scoped", .invalidValue)
        }
        labels(m.labels, at: path.child("labels"))
        annotations(m.annotations, at: path.child("annotations"))
    }

    func labels(_ labels: [String: String], at path: FieldPath) {
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            check(NameRules.qualifiedName(key), path.child(key), key)
            check(NameRules.labelValue(value), path.child(key), value)
        }
    }

    func annotations(_ annotations: [String: String], at path: FieldPath) {
        var total = 0
        for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
            check(NameRules.qualifiedName(key), path.child(key), key)
            total += key.utf8.count + value.utf8.count
        }
        if total > 262_144 {
            fail(path, "Too long: may not be more than 262144 bytes (annotations total \(total) bytes)")
        }
    }

    func selector(_ selector: LabelSelector, at path: FieldPath) {
        labels(selector.matchLabels, at: path.child("matchLabels"))
        for (index, requirement) in selector.matchExpressions.enumerated() {
            let p = path.child("matchExpressions").index(index)
            check(NameRules.qualifiedName(requirement.key), p.child("key"), requirement.key)
            switch requirement.operator {
            case .in, .notIn:
                if requirement.values.isEmpty {
                    required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'")
                }
            case .exists, .doesNotExist:
                if !requirement.values.isEmpty {
                    fail(p.child("values"), "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
                }
            }
            for (valueIndex, value) in requirement.values.enumerated() {
                check(NameRules.labelValue(value), p.child("values").index(valueIndex), value)
            }
        }
    }

    // MARK: Workloads

    func deployment(_ o: Deployment) {
        let spec = FieldPath("spec")
        nonNegative(o.spec.replicas, spec.child("replicas"))
        workloadSelector(o.spec.selector, template: o.spec.template, at: spec, kind: "deployment")
        podTemplate(o.spec.template, at: spec.child("template"))
        let strategyPath = spec.child("strategy")
        let type = o.spec.strategy?.type ?? "RollingUpdate"
        oneOf(type, ["Recreate", "RollingUpdate"], strategyPath.child("type"))
        if let rolling = o.spec.strategy?.rollingUpdate {
            let rollingPath = strategyPath.child("rollingUpdate")
            if type == "Recreate" {
                fail(rollingPath, "Forbidden: may not be specified when strategy `type` is 'Recreate'")
            } else {
                intOrPercent(rolling.maxUnavailable, rollingPath.child("maxUnavailable"), atMost100: true)
                intOrPercent(rolling.maxSurge, rollingPath.child("maxSurge"), atMost100: false)
                if isZero(rolling.maxUnavailable), isZero(rolling.maxSurge) {
                    fail(rollingPath.child("maxUnavailable"), "Invalid value: 0: may not be 0 when `maxSurge` is 0")
                }
            }
        }
        nonNegative(o.spec.minReadySeconds, spec.child("minReadySeconds"))
        nonNegative(o.spec.revisionHistoryLimit, spec.child("revisionHistoryLimit"))
        if let deadline = o.spec.progressDeadlineSeconds {
            nonNegative(deadline, spec.child("progressDeadlineSeconds"))
            if deadline <= (o.spec.minReadySeconds ?? 0) {
                fail(
                    spec.child("progressDeadlineSeconds"),
                    "Invalid value: \(deadline): must be greater than minReadySeconds")
            }
        }
    }

    func replicaSet(_ o: ReplicaSet) {
        let spec = FieldPath("spec")
        nonNegative(o.spec.replicas, spec.child("replicas"))
        nonNegative(o.spec.minReadySeconds, spec.child("minReadySeconds"))
        workloadSelector(o.spec.selector, template: o.spec.template, at: spec, kind: "replicaset")
        podTemplate(o.spec.template, at: spec.child("template"))
    }

    func workloadSelector(_ s: LabelSelector?, template: PodTemplateSpec, at spec: FieldPath, kind: String) {
        guard let s else {
            required(spec.child("selector"))
            return
        }
        if s.isEmpty {
            fail(spec.child("selector"), "Invalid value: empty selector is invalid for \(kind)")
            return
        }
        selector(s, at: spec.child("selector"))
        if !s.matches(template.metadata.labels) {
            fail(
                spec.child("template").child("metadata").child("labels"),
                "Invalid value: \(Value(template.metadata.labels).jsonString): `selector` does not match template `labels`")
        }
    }

    func podTemplate(_ t: PodTemplateSpec, at path: FieldPath) {
        labels(t.metadata.labels, at: path.child("metadata").child("labels"))
        annotations(t.metadata.annotations, at: path.child("metadata").child("annotations"))
        podSpec(t.spec, at: path.child("spec"))
        if let policy = t.spec.restartPolicy, policy != "Always" {
            fail(path.child("spec").child("restartPolicy"), "Unsupported value: \"\(policy)\": supported values: \"Always\"")
        }
    }

    func intOrPercent(_ value: IntOrString?, _ path: FieldPath, atMost100: Bool) {
        switch value {
        case .int(let int)?:
            nonNegative(int, path)
        case .string(let string)?:
            guard let percent = Self.percent(string) else {
                fail(path, "Invalid value: \"\(string)\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')")
                return
            }
            if atMost100 && percent > 100 { fail(path, "Invalid value: \"\(string)\": must not be greater than 100%") }
        case nil: break
        }
    }

    static func percent(_ string: String) -> Int? {
        guard string.hasSuffix("%"), string.count > 1 else { return nil }
        let digits = string.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    func isZero(_ value: IntOrString?) -> Bool {
        switch value {
        case .int(let int)?: int == 0
        case .string(let string)?: Self.percent(string) == 0
        case nil: false
        }
    }

    // MARK: Pod spec

    func podSpec(_ s: PodSpec, at path: FieldPath) {
        if s.containers.isEmpty { required(path.child("containers")) }
        var names: Set<String> = []
        for (index, container) in s.initContainers.enumerated() {
            self.container(container, at: path.child("initContainers").index(index), names: &names, isInit: true)
        }
        for (index, container) in s.containers.enumerated() {
            self.container(container, at: path.child("containers").index(index), names: &names, isInit: false)
        }
        oneOf(s.restartPolicy, ["Always", "OnFailure", "Never"], path.child("restartPolicy"))
        oneOf(s.dnsPolicy, ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"], path.child("dnsPolicy"))
        nonNegative(s.terminationGracePeriodSeconds, path.child("terminationGracePeriodSeconds"))
        if let deadline = s.activeDeadlineSeconds, deadline <= 0 {
            fail(path.child("activeDeadlineSeconds"), "Invalid value: \(deadline): must be greater than 0")
        }
        if let hostname = s.hostname { check(NameRules.dns1123Label(hostname), path.child("hostname"), hostname) }
        if let subdomain = s.subdomain { check(NameRules.dns1123Label(subdomain), path.child("subdomain"), subdomain) }
    }

    func container(_ c: Container, at path: FieldPath, names: inout Set<String>, isInit: Bool) {
        if c.name.isEmpty {
            required(path.child("name"))
        } else {
            check(NameRules.dns1123Label(c.name), path.child("name"), c.name)
            if !names.insert(c.name).inserted { fail(path.child("name"), "Duplicate value: \"\(c.name)\"") }
        }
        if (c.image ?? "").allSatisfy({ $0 == " " || $0 == "\t" }) { required(path.child("image")) }
        oneOf(c.imagePullPolicy, ["Always", "IfNotPresent", "Never"], path.child("imagePullPolicy"))
        oneOf(c.terminationMessagePolicy, ["File", "FallbackToLogsOnError"], path.child("terminationMessagePolicy"))
        if let policy = c.restartPolicy {
            if isInit { oneOf(policy, ["Always"], path.child("restartPolicy")) } else {
                fail(path.child("restartPolicy"), "Forbidden: may not be set for non-init containers")
            }
        }
        var portNames: Set<String> = []
        for (index, port) in c.ports.enumerated() {
            let p = path.child("ports").index(index)
            self.port(port.containerPort, p.child("containerPort"))
            if let hostPort = port.hostPort, hostPort != 0 { self.port(hostPort, p.child("hostPort")) }
            if let name = port.name {
                check(NameRules.ianaServiceName(name), p.child("name"), name)
                if !portNames.insert(name).inserted { fail(p.child("name"), "Duplicate value: \"\(name)\"") }
            }
            oneOf(port.protocol, ["SCTP", "TCP", "UDP"], p.child("protocol"))
        }
        for (index, env) in c.env.enumerated() { envVar(env, at: path.child("env").index(index)) }
        for (index, source) in c.envFrom.enumerated() {
            let p = path.child("envFrom").index(index)
            if let prefix = source.prefix { check(NameRules.envVarName(prefix).filter { !$0.hasPrefix("must be non") }, p.child("prefix"), prefix) }
            let count = (source.configMapRef == nil ? 0 : 1) + (source.secretRef == nil ? 0 : 1)
            if count != 1 {
                fail(p, count == 0 ? "Required value: must specify one of: `configMapRef` or `secretRef`" : "Invalid value: may not have more than one field specified at a time")
            }
            if let ref = source.configMapRef, ref.name.isEmpty { required(p.child("configMapRef").child("name")) }
            if let ref = source.secretRef, ref.name.isEmpty { required(p.child("secretRef").child("name")) }
        }
        if let probe = c.livenessProbe { self.probe(probe, at: path.child("livenessProbe"), c, mustSucceedOnce: true) }
        if let probe = c.readinessProbe { self.probe(probe, at: path.child("readinessProbe"), c, mustSucceedOnce: false) }
        if let probe = c.startupProbe { self.probe(probe, at: path.child("startupProbe"), c, mustSucceedOnce: true) }
    }

    func envVar(_ e: EnvVar, at path: FieldPath) {
        if e.name.isEmpty { required(path.child("name")) } else { check(NameRules.envVarName(e.name), path.child("name"), e.name) }
        guard let from = e.valueFrom else { return }
        let p = path.child("valueFrom")
        if e.value != nil {
            fail(p, "Invalid value: may not be specified when `value` is not empty")
        }
        let count = [from.configMapKeyRef != nil, from.secretKeyRef != nil, from.fieldRef != nil, from.resourceFieldRef != nil]
            .filter { $0 }.count + from.retainedFields.count
        if count == 0 {
            fail(p, "Invalid value: must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`")
        } else if count > 1 {
            fail(p, "Invalid value: may not have more than one field specified at a time")
        }
        for (name, ref) in [("configMapKeyRef", from.configMapKeyRef), ("secretKeyRef", from.secretKeyRef)] {
            guard let ref else { continue }
            if ref.name.isEmpty { required(p.child(name).child("name")) }
            if ref.key.isEmpty { required(p.child(name).child("key")) } else {
                check(NameRules.configMapKey(ref.key), p.child(name).child("key"), ref.key)
            }
        }
        if let field = from.fieldRef {
            let supported = [
                "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
                "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
            ]
            let isLabelOrAnnotation = field.fieldPath.hasPrefix("metadata.labels['") || field.fieldPath.hasPrefix("metadata.annotations['")
            if field.fieldPath.isEmpty { required(p.child("fieldRef").child("fieldPath")) } else if !supported.contains(field.fieldPath) && !isLabelOrAnnotation
                && field.fieldPath != "metadata.labels" && field.fieldPath != "metadata.annotations"
            {
                oneOf(field.fieldPath, supported, p.child("fieldRef").child("fieldPath"))
            }
        }
        if let resource = from.resourceFieldRef, resource.resource.isEmpty {
            required(p.child("resourceFieldRef").child("resource"))
        }
    }

    func probe(_ probe: Probe, at path: FieldPath, _ c: Container, mustSucceedOnce: Bool) {
        let handlers = [probe.exec != nil, probe.httpGet != nil, probe.tcpSocket != nil, probe.grpc != nil].filter { $0 }.count
        if handlers == 0 {
            required(path, "must specify a handler type")
        } else if handlers > 1 {
            fail(path, "Forbidden: may not specify more than 1 handler type")
        }
        nonNegative(probe.initialDelaySeconds, path.child("initialDelaySeconds"))
        for (name, value) in [
            ("timeoutSeconds", probe.timeoutSeconds), ("periodSeconds", probe.periodSeconds),
            ("successThreshold", probe.successThreshold), ("failureThreshold", probe.failureThreshold),
        ] {
            if let value, value < 1 { fail(path.child(name), "Invalid value: \(value): must be greater than or equal to 1") }
        }
        if mustSucceedOnce, let success = probe.successThreshold, success != 1 {
            fail(path.child("successThreshold"), "Invalid value: \(success): must be 1")
        }
        if let grace = probe.terminationGracePeriodSeconds, grace <= 0 {
            fail(path.child("terminationGracePeriodSeconds"), "Invalid value: \(grace): must be greater than 0")
        }
        if let exec = probe.exec, exec.command.isEmpty { required(path.child("exec").child("command")) }
        if let http = probe.httpGet {
            probePort(http.port, at: path.child("httpGet").child("port"), c)
            oneOf(http.scheme, ["HTTP", "HTTPS"], path.child("httpGet").child("scheme"))
            for (index, header) in http.httpHeaders.enumerated() where header.name.isEmpty {
                required(path.child("httpGet").child("httpHeaders").index(index).child("name"))
            }
        }
        if let tcp = probe.tcpSocket { probePort(tcp.port, at: path.child("tcpSocket").child("port"), c) }
        if let grpc = probe.grpc { port(grpc.port, path.child("grpc").child("port")) }
    }

    func probePort(_ value: IntOrString, at path: FieldPath, _ c: Container) {
        switch value {
        case .int(let int): port(int, path)
        case .string(let name):
            check(NameRules.ianaServiceName(name), path, name)
            if NameRules.ianaServiceName(name).isEmpty, !c.ports.contains(where: { $0.name == name }) {
                fail(path, "Invalid value: \"\(name)\": no container port with this name")
            }
        }
    }

    // MARK: Service, Endpoints

    func service(_ o: Service) {
        let spec = FieldPath("spec")
        let type = o.spec.type ?? "ClusterIP"
        oneOf(type, ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"], spec.child("type"))
        let headless = o.spec.clusterIP == "None"
        if type == "ExternalName" {
            if let name = o.spec.externalName {
                check(NameRules.dns1123Subdomain(name.hasSuffix(".") ? String(name.dropLast()) : name), spec.child("externalName"), name)
            } else {
                required(spec.child("externalName"))
            }
            if let ip = o.spec.clusterIP, !ip.isEmpty {
                fail(spec.child("clusterIP"), "Forbidden: may not be set for ExternalName services")
            }
        } else {
            if o.spec.ports.isEmpty && !headless { required(spec.child("ports")) }
            if let ip = o.spec.clusterIP, ip != "None", !ip.isEmpty, !NameRules.isIPAddress(ip) {
                fail(spec.child("clusterIP"), "Invalid value: \"\(ip)\": must be empty, 'None', or a valid IP address")
            }
            if headless && type != "ClusterIP" {
                fail(spec.child("clusterIP"), "Invalid value: \"None\": may not be set to 'None' for \(type) services")
            }
        }
        var names: Set<String> = []
        var portsAndProtocols: Set<String> = []
        for (index, port) in o.spec.ports.enumerated() {
            let p = spec.child("ports").index(index)
            if let name = port.name {
                check(NameRules.dns1123Label(name), p.child("name"), name)
                if !names.insert(name).inserted { fail(p.child("name"), "Duplicate value: \"\(name)\"") }
            } else if o.spec.ports.count > 1 {
                required(p.child("name"), "must be specified when there is more than one port")
            }
            self.port(port.port, p.child("port"))
            oneOf(port.protocol, ["SCTP", "TCP", "UDP"], p.child("protocol"))
            let key = "\(port.port)/\(port.protocol ?? "TCP")"
            if !portsAndProtocols.insert(key).inserted { fail(p, "Duplicate value: \"\(key)\"") }
            switch port.targetPort {
            case .int(let int)?: self.port(int, p.child("targetPort"))
            case .string(let name)?: check(NameRules.ianaServiceName(name), p.child("targetPort"), name)
            case nil: break
            }
            if let nodePort = port.nodePort, nodePort != 0 {
                if type != "NodePort" && type != "LoadBalancer" {
                    fail(p.child("nodePort"), "Forbidden: may not be used when `type` is '\(type)'")
                } else {
                    self.port(nodePort, p.child("nodePort"))
                }
            }
        }
        labels(o.spec.selector, at: spec.child("selector"))
        oneOf(o.spec.sessionAffinity, ["ClientIP", "None"], spec.child("sessionAffinity"))
        if let timeout = o.spec.sessionAffinityTimeoutSeconds {
            let p = spec.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds")
            if o.spec.sessionAffinity != "ClientIP" {
                fail(p, "Forbidden: must not be set when `sessionAffinity` is None")
            } else if timeout < 1 || timeout > 86400 {
                fail(p, "Invalid value: \(timeout): must be greater than 0 and less than 86400")
            }
        }
        if let policy = o.spec.externalTrafficPolicy {
            if type != "NodePort" && type != "LoadBalancer" {
                fail(spec.child("externalTrafficPolicy"), "Invalid value: \"\(policy)\": may only be set when `type` is 'NodePort' or 'LoadBalancer'")
            } else {
                oneOf(policy, ["Cluster", "Local"], spec.child("externalTrafficPolicy"))
            }
        }
        oneOf(o.spec.internalTrafficPolicy, ["Cluster", "Local"], spec.child("internalTrafficPolicy"))
    }

    func endpoints(_ o: Endpoints) {
        for (index, subset) in o.subsets.enumerated() {
            let p = FieldPath("subsets").index(index)
            for (i, address) in (subset.addresses).enumerated() where address.ip.isEmpty {
                required(p.child("addresses").index(i).child("ip"))
            }
            for (i, port) in subset.ports.enumerated() { self.port(port.port, p.child("ports").index(i).child("port")) }
        }
    }

    // MARK: Ingress

    func ingress(_ o: Ingress) {
        let spec = FieldPath("spec")
        if o.spec.rules.isEmpty && o.spec.defaultBackend == nil {
            fail(spec, "Invalid value: either `defaultBackend` or `rules` must be specified")
        }
        if let backend = o.spec.defaultBackend { ingressBackend(backend, at: spec.child("defaultBackend")) }
        if let name = o.spec.ingressClassName { check(NameRules.dns1123Subdomain(name), spec.child("ingressClassName"), name) }
        for (index, rule) in o.spec.rules.enumerated() {
            let p = spec.child("rules").index(index)
            if let host = rule.host { ingressHost(host, at: p.child("host")) }
            guard let paths = rule.paths else { continue }
            if paths.isEmpty { required(p.child("http").child("paths")) }
            for (pathIndex, path) in paths.enumerated() {
                ingressPath(path, at: p.child("http").child("paths").index(pathIndex))
            }
        }
        for (index, tls) in o.spec.tls.enumerated() {
            for (hostIndex, host) in tls.hosts.enumerated() {
                ingressHost(host, at: spec.child("tls").index(index).child("hosts").index(hostIndex))
            }
        }
    }

    func ingressHost(_ host: String, at path: FieldPath) {
        if NameRules.isIPAddress(host) {
            fail(path, "Invalid value: \"\(host)\": must be a DNS name, not an IP address")
            return
        }
        if host.hasPrefix("*.") {
            check(NameRules.dns1123Subdomain(String(host.dropFirst(2))), path, host)
        } else {
            check(NameRules.dns1123Subdomain(host), path, host)
        }
    }

    func ingressPath(_ p: HTTPIngressPath, at path: FieldPath) {
        guard let type = p.pathType else {
            required(path.child("pathType"), "pathType must be specified")
            ingressBackend(p.backend, at: path.child("backend"))
            return
        }
        oneOf(type, ["Exact", "ImplementationSpecific", "Prefix"], path.child("pathType"))
        let value = p.path ?? ""
        if type == "Exact" || type == "Prefix" {
            if !value.hasPrefix("/") {
                fail(path.child("path"), "Invalid value: \"\(value)\": must be an absolute path")
            }
            for invalid in ["//", "/./", "/../", "%2f", "%2F"] where value.contains(invalid) {
                fail(path.child("path"), "Invalid value: \"\(value)\": must not contain '\(invalid)'")
            }
            for suffix in ["/..", "/."] where value.hasSuffix(suffix) {
                fail(path.child("path"), "Invalid value: \"\(value)\": cannot end with '\(suffix)'")
            }
        } else if !value.isEmpty && !value.hasPrefix("/") {
            fail(path.child("path"), "Invalid value: \"\(value)\": must be an absolute path")
        }
        ingressBackend(p.backend, at: path.child("backend"))
    }

    func ingressBackend(_ b: IngressBackend, at path: FieldPath) {
        if b.hasService && b.resource != nil {
            fail(path, "Invalid value: cannot set both `resource` and `service` backends")
            return
        }
        if !b.hasService && b.resource == nil {
            fail(path, "Invalid value: one of `service` or `resource` must be specified")
            return
        }
        guard b.hasService else { return }
        let service = path.child("service")
        if let name = b.serviceName { check(NameRules.dns1035Label(name), service.child("name"), name) } else {
            required(service.child("name"))
        }
        let port = service.child("port")
        switch (b.servicePortName, b.servicePortNumber) {
        case (nil, nil): required(port, "port name or number is required")
        case (.some, .some): fail(port, "Invalid value: cannot set both port name & port number")
        case (let name?, nil): check(NameRules.ianaServiceName(name), port.child("name"), name)
        case (nil, let number?): self.port(number, port.child("number"))
        }
    }

    // MARK: ConfigMap, Secret

    func configMap(_ o: ConfigMap) {
        var total = 0
        for (key, value) in o.data.sorted(by: { $0.key < $1.key }) {
            check(NameRules.configMapKey(key), FieldPath("data").child(key), key)
            total += value.utf8.count
        }
        for (key, value) in o.binaryData.sorted(by: { $0.key < $1.key }) {
            check(NameRules.configMapKey(key), FieldPath("binaryData").child(key), key)
            if o.data[key] != nil { fail(FieldPath("binaryData").child(key), "Invalid value: \"\(key)\": duplicate of key present in data") }
            total += value.count
        }
        if total > 1_048_576 { fail(FieldPath(), "Too long: must have at most 1048576 bytes (data and binaryData total \(total))") }
    }

    func secret(_ o: Secret) {
        var total = 0
        for (key, value) in o.data.sorted(by: { $0.key < $1.key }) {
            check(NameRules.configMapKey(key), FieldPath("data").child(key), key)
            total += value.count
        }
        for key in o.stringData.keys.sorted() { check(NameRules.configMapKey(key), FieldPath("stringData").child(key), key) }
        if total > 1_048_576 { fail(FieldPath("data"), "Too long: must have at most 1048576 bytes (data total \(total))") }
        let has = { (key: String) in o.data[key] != nil || o.stringData[key] != nil }
        let type = o.type ?? "Opaque"
        switch type {
        case "kubernetes.io/tls":
            for key in ["tls.crt", "tls.key"] where !has(key) { required(FieldPath("data").child(key)) }
        case "kubernetes.io/basic-auth":
            if !has("username") && !has("password") { required(FieldPath("data"), "must specify `username` or `password`") }
        case "kubernetes.io/ssh-auth":
            if !has("ssh-privatekey") { required(FieldPath("data").child("ssh-privatekey")) }
        case "kubernetes.io/dockerconfigjson":
            if !has(".dockerconfigjson") { required(FieldPath("data").child(".dockerconfigjson")) }
        case "kubernetes.io/dockercfg":
            if !has(".dockercfg") { required(FieldPath("data").child(".dockercfg")) }
        case "kubernetes.io/service-account-token":
            if o.metadata.annotations["kubernetes.io/service-account.name"] == nil {
                required(FieldPath("metadata").child("annotations").child("kubernetes.io/service-account.name"))
            }
        default: break
        }
    }
}

extension TypedObject {
    /// Kubernetes' validation of this object (run it on the defaulted object, as the API server does).
    /// - Returns: every problem, each with its field path; empty when valid.
    public func validate() -> [APIError] {
        let diagnostics = Diagnostics()
        Validator(d: diagnostics).validate(self)
        return diagnostics.errors
    }
}
