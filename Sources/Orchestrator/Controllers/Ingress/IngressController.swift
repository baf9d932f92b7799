import API
import Foundation
import Logging

/// Feeds the Ingress server from the store — what an Ingress controller such as ingress-nginx does.
///
/// Two kinds of keys go through one work queue (so neither is ever worked on twice at once):
///
/// - **The tables** (level-triggered, idempotent): every Ingress whose class is ours (`ingressClassName`, or the
///   legacy `kubernetes.io/ingress.class` annotation, in `classes`; none at all counts as ours, the default
///   class) contributes its rules, oldest Ingress first (so on equal paths the oldest wins), and the oldest
///   `defaultBackend`. A backend names a Service and a port number or name; a name is resolved to the Service
///   port's number, so both spellings share one endpoint list. `nginx.ingress.kubernetes.io/rewrite-target` with
///   a fixed target rewrites the upstream path. The endpoint table maps each backend to the ready addresses in
///   the Service's Endpoints (pods being terminated left out). Each `tls` entry's Secret (`tls.crt`, `tls.key`)
///   becomes a certificate for its hosts (no hosts: the default certificate). Each of the three tables is pushed
///   to the `IngressServer` only when it changed.
/// - **An Ingress**: its `status.loadBalancer.ingress[{ip}]` (the Ingress address), and events for what the last
///   tables pass found wrong with it — a missing or bad TLS Secret, a backend that cannot be routed, an
///   unsupported rewrite — or a Normal `Ignored` event when its class is someone else's. Each is recorded once
///   while it lasts. Secret data and keys are never logged.
final class IngressController: Sendable {
    enum Work: Hashable, Sendable {
        case ingress(ObjectKey)
        case tables
    }

    /// Something worth an event on one Ingress.
    struct Problem: Hashable, Sendable {
        var type: ObjectEvent.EventType
        var reason: String
        var message: String

        var memoryKey: String { "\(type.rawValue)|\(reason)|\(message)" }
    }

    /// Identifies a parsed certificate: the Secret at one version, for one host list.
    struct CertificateKey: Hashable, Sendable {
        var namespace: String
        var secret: String
        var resourceVersion: String
        var hosts: [String]
    }

    struct State {
        var passed = false
        var accepted: Set<ObjectKey> = []
        var problems: [ObjectKey: [Problem]] = [:]
        var routing: ([IngressRoutingTable.Rule], IngressRoute?)?
        var endpoints: IngressEndpointTable?
        var certificateKeys: [CertificateKey]?
        var certificates: [CertificateKey: TLSCertificate] = [:]
    }

    static let source = "ingress-controller"
    static let rewriteAnnotation = "nginx.ingress.kubernetes.io/rewrite-target"
    static let legacyClassAnnotation = "kubernetes.io/ingress.class"

    let store: any ObjectStore
    let informers: NetworkInformers
    let terminating: TerminatingPods
    let server: IngressServer
    /// Ingress classes handled here.
    let classes: Set<String>
    /// The address written to Ingress status.
    let statusAddress: String
    let controller: Controller<Work>
    let passes = PassCounter()
    let state = Locked(State())
    let eventMemory = EventMemory()
    let logger: Logger

    init(
        store: any ObjectStore, informers: NetworkInformers, terminating: TerminatingPods, server: IngressServer,
        classes: Set<String>, statusAddress: String, workers: Int, queue: WorkQueue<ObjectKey>.Configuration,
        logger: Logger
    ) {
        self.store = store
        self.informers = informers
        self.terminating = terminating
        self.server = server
        self.classes = classes
        self.statusAddress = statusAddress
        self.logger = logger
        controller = Controller(
            name: "ingresses",
            configuration: .init(
                workers: workers, queue: .init(baseDelay: queue.baseDelay, maximumDelay: queue.maximumDelay)),
            logger: logger)
        informers.synced(before: controller)
        controller.watches(informers.ingresses) { event in [.tables, .ingress(event.object.key)] }
        controller.watches(informers.services) { _ in [.tables] }
        controller.watches(informers.endpoints) { _ in [.tables] }
        controller.watches(informers.secrets) { _ in [.tables] }
    }

    var queue: WorkQueue<Work> { controller.queue }

    /// Runs the workers until the task is cancelled; the informers must be running.
    func run() async {
        await controller.waitUntilSynced()
        await controller.enqueue(.tables)
        await controller.run { work in
            switch work {
            case .ingress(let key): try await self.reconcile(key)
            case .tables: await self.syncTables()
            }
        }
    }

    /// Pushes tables built after this call, waiting at most `timeout` (the pod-termination hook).
    func syncTablesNow(timeout: Duration) async {
        let pass = passes.nextPass()
        await queue.add(.tables)
        await passes.wait(forPass: pass, timeout: timeout)
    }

    /// Whether an Ingress is handled here: its class (field, else legacy annotation) is one of ours, or it has none.
    func handles(_ ingress: Ingress) -> (Bool, String?) {
        let name = ingress.spec.ingressClassName ?? ingress.metadata.annotations[Self.legacyClassAnnotation]
        guard let name, !name.isEmpty else { return (true, nil) }
        return (classes.contains(name), name)
    }

    // MARK: Tables

    func syncTables() async -> ReconcileResult {
        let pass = passes.begin()
        defer { passes.end(pass) }
        let ingresses = informers.ingresses.list().sorted { a, b in
            (a.metadata.creationDate, a.key) < (b.metadata.creationDate, b.key)
        }
        var rules: [IngressRoutingTable.Rule] = []
        var defaultRoute: IngressRoute?
        var backends: Set<IngressBackend> = []
        var accepted: Set<ObjectKey> = []
        var problems: [ObjectKey: [Problem]] = [:]
        var certificateKeys: [CertificateKey] = []
        var certificates: [TLSCertificate] = []
        var defaultCertificate: TLSCertificate?
        let cache = state.withLock { $0.certificates }
        var parsed: [CertificateKey: TLSCertificate] = [:]

        for ingress in ingresses {
            let key = ingress.key
            let namespace = ingress.metadata.namespace
            var found: [Problem] = []
            defer { if !found.isEmpty { problems[key] = found } }
            let (ours, className) = handles(ingress)
            guard ours else {
                let handled = classes.sorted().joined(separator: ", ")
                found.append(
                    Problem(
                        type: .normal, reason: "Ignored",
                        message: "Ingress class \"\(className ?? "")\" is not handled by gitopsd "
                            + "(it handles \(handled), and Ingresses without a class)"))
                continue
            }
            accepted.insert(key)

            var rewrite = ingress.metadata.annotations[Self.rewriteAnnotation]
            if let target = rewrite, target.contains("$") || !target.hasPrefix("/") {
                found.append(
                    Problem(
                        type: .warning, reason: "UnsupportedAnnotation",
                        message: "\(Self.rewriteAnnotation) \"\(target)\" is not a fixed path; only fixed targets "
                            + "are supported, the path is passed unchanged"))
                rewrite = nil
            }
            func resolve(_ backend: API.IngressBackend, _ what: String) -> IngressBackend? {
                guard backend.hasService, let service = backend.serviceName, !service.isEmpty else {
                    found.append(
                        Problem(
                            type: .warning, reason: "UnsupportedBackend",
                            message: "\(what): only Service backends are routed"))
                    return nil
                }
                if let number = backend.servicePortNumber {
                    return IngressBackend(namespace: namespace, service: service, port: .number(number))
                }
                guard let name = backend.servicePortName else {
                    found.append(
                        Problem(
                            type: .warning, reason: "UnsupportedBackend",
                            message: "\(what): Service \(service) names no port"))
                    return nil
                }
                let serviceKey = ObjectKey(kind: Service.resource.kind, namespace: namespace, name: service)
                if let port = informers.services.get(serviceKey)?.spec.ports.first(where: { $0.name == name }) {
                    return IngressBackend(namespace: namespace, service: service, port: .number(port.port))
                }
                found.append(
                    Problem(
                        type: .warning, reason: "BackendNotFound",
                        message: "\(what): Service \(service) has no port named \"\(name)\" (yet); requests get 503"))
                return IngressBackend(namespace: namespace, service: service, port: .name(name))
            }

            if let backend = ingress.spec.defaultBackend, let resolved = resolve(backend, "defaultBackend") {
                backends.insert(resolved)
                if defaultRoute == nil {
                    defaultRoute = IngressRoute(backend: resolved, rewriteTarget: rewrite)
                } else {
                    found.append(
                        Problem(
                            type: .warning, reason: "DefaultBackendConflict",
                            message: "an older Ingress already sets the default backend; this one is not used"))
                }
            }
            for (ruleIndex, rule) in ingress.spec.rules.enumerated() {
                guard let paths = rule.paths else { continue }
                var tablePaths: [IngressRoutingTable.Path] = []
                for (pathIndex, path) in paths.enumerated() {
                    let what = "rules[\(ruleIndex)].http.paths[\(pathIndex)]"
                    guard let backend = resolve(path.backend, what) else { continue }
                    backends.insert(backend)
                    let type =
                        IngressRoutingTable.PathType(rawValue: path.pathType ?? "") ?? .implementationSpecific
                    let text = path.path.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
                    tablePaths.append(.init(path: text, pathType: type, backend: backend, rewriteTarget: rewrite))
                }
                if !tablePaths.isEmpty { rules.append(.init(host: rule.host, paths: tablePaths)) }
            }

            for (index, tls) in ingress.spec.tls.enumerated() {
                guard let secretName = tls.secretName, !secretName.isEmpty else { continue }
                let secretKey = ObjectKey(kind: Secret.resource.kind, namespace: namespace, name: secretName)
                guard let secret = informers.secrets.get(secretKey) else {
                    found.append(
                        Problem(
                            type: .warning, reason: "TLSSecretNotFound",
                            message: "tls[\(index)]: Secret \(secretName) not found"))
                    continue
                }
                guard let certificatePEM = secret.data["tls.crt"], let keyPEM = secret.data["tls.key"] else {
                    found.append(
                        Problem(
                            type: .warning, reason: "TLSSecretInvalid",
                            message: "tls[\(index)]: Secret \(secretName) has no tls.crt and tls.key"))
                    continue
                }
                let certificateKey = CertificateKey(
                    namespace: namespace, secret: secretName, resourceVersion: secret.metadata.resourceVersion ?? "",
                    hosts: tls.hosts)
                let certificate: TLSCertificate
                if let known = parsed[certificateKey] ?? cache[certificateKey] {
                    certificate = known
                } else {
                    do {
                        certificate = try TLSCertificate(
                            hosts: tls.hosts, certificateChainPEM: String(decoding: certificatePEM, as: UTF8.self),
                            privateKeyPEM: String(decoding: keyPEM, as: UTF8.self))
                    } catch {
                        // The error names the hosts and the TLS library's reason, never the key.
                        found.append(
                            Problem(
                                type: .warning, reason: "TLSSecretInvalid",
                                message: "tls[\(index)]: Secret \(secretName): \(error)"))
                        continue
                    }
                }
                parsed[certificateKey] = certificate
                certificateKeys.append(certificateKey)
                if tls.hosts.isEmpty {
                    if defaultCertificate == nil { defaultCertificate = certificate }
                } else {
                    certificates.append(certificate)
                }
            }
        }

        var endpoints = IngressEndpointTable()
        for backend in backends {
            endpoints[backend] = addresses(of: backend)
        }

        // Push what changed.
        let previous = state.withLock { ($0.routing, $0.endpoints, $0.certificateKeys) }
        if previous.0 == nil || previous.0!.0 != rules || previous.0!.1 != defaultRoute {
            server.updateRouting(IngressRoutingTable(rules: rules, defaultRoute: defaultRoute))
        }
        if previous.1 != endpoints {
            server.updateEndpoints(endpoints)
        }
        var certificatesPushed = previous.2 == certificateKeys
        if !certificatesPushed {
            do {
                try server.updateCertificates(
                    IngressCertificateTable(certificates: certificates, defaultCertificate: defaultCertificate))
                certificatesPushed = true
            } catch {
                logger.info("TLS certificates rejected", metadata: ["error": "\(error)"])
                for ingress in ingresses where accepted.contains(ingress.key) && !ingress.spec.tls.isEmpty {
                    problems[ingress.key, default: []].append(
                        Problem(type: .warning, reason: "TLSSecretInvalid", message: "\(error)"))
                }
            }
        }
        // The first complete set of tables is in place: the listeners may accept (idempotent afterwards).
        server.acceptConnections()

        let changed = state.withLock { state -> [ObjectKey] in
            let keys = Set(state.problems.keys).union(problems.keys).union(state.accepted).union(accepted)
            let changed = keys.filter { key in
                state.problems[key] != problems[key] || state.accepted.contains(key) != accepted.contains(key)
            }
            let first = !state.passed
            state.passed = true
            state.accepted = accepted
            state.problems = problems
            state.routing = (rules, defaultRoute)
            state.endpoints = endpoints
            if certificatesPushed {
                state.certificateKeys = certificateKeys
                state.certificates = parsed
            }
            return first ? Array(Set(ingresses.map(\.key)).union(changed)) : Array(changed)
        }
        for key in changed.sorted() { await queue.add(.ingress(key)) }
        return .done
    }

    /// The ready addresses of a backend: the Service port it names, through the Service's Endpoints.
    func addresses(of backend: IngressBackend) -> [HostPort] {
        guard case .number(let number) = backend.port else { return [] }
        let serviceKey = ObjectKey(kind: Service.resource.kind, namespace: backend.namespace, name: backend.service)
        guard let service = informers.services.get(serviceKey), service.serviceType != "ExternalName",
            let port = service.spec.ports.first(where: { $0.port == number })
        else { return [] }
        let endpointsKey = ObjectKey(kind: Endpoints.resource.kind, namespace: backend.namespace, name: backend.service)
        return informers.endpoints.get(endpointsKey)?.readyAddresses(portName: port.name, excluding: terminating) ?? []
    }

    // MARK: One Ingress

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let entry = informers.ingresses.entry(key) else {
            eventMemory.forget(key: "\(key)")
            return .done
        }
        let ingress = entry.object
        let (passed, isAccepted, problems) = state.withLock { state in
            (state.passed, state.accepted.contains(key), state.problems[key] ?? [])
        }
        guard passed else { return .done }  // the first tables pass queues every Ingress
        let byKey = Dictionary(problems.map { ($0.memoryKey, $0) }, uniquingKeysWith: { a, _ in a })
        let fresh = eventMemory.update(key: "\(key)", uid: ingress.metadata.uid ?? "", current: Set(byKey.keys))
        for memoryKey in fresh.sorted() {
            guard let problem = byKey[memoryKey] else { continue }
            await store.record(key, problem.type, problem.reason, problem.message, source: Self.source)
        }

        let ours: Value = ["ingress": [["ip": .string(statusAddress)]]]
        let current = ingress.statusLoadBalancer.flatMap { $0 == .object([:]) ? nil : $0 }
        let desired: Value? = isAccepted ? ours : (current == ours ? nil : current)
        guard desired != current else { return .done }
        do {
            let result = try await store.writeStatus(
                entry.value, status: desired.map { ["loadBalancer": $0] })
            await informers.ingresses.waitUntilObserved(result.revision)
        } catch let error as StoreError where error.code == .notFound {
            return .done
        }
        return .done
    }
}
