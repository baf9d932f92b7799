import API
import Testing

@testable import Orchestrator

@Suite("ContainerEnvironment")
struct ContainerEnvironmentTests {
    private func pod(_ container: Container) -> Pod {
        var pod = Pod(metadata: ObjectMeta(name: "web-1", namespace: "shop", labels: ["app": "web"]))
        pod.metadata.uid = "uid-1"
        pod.metadata.annotations = ["team": "blue"]
        pod.spec.containers = [container]
        return pod
    }

    private func service(_ name: String, clusterIP: String?, ports: [ServicePort], type: String? = nil) -> Service {
        var service = Service(metadata: ObjectMeta(name: name, namespace: "shop"))
        service.spec.clusterIP = clusterIP
        service.spec.ports = ports
        service.spec.type = type
        return service
    }

    private let context = ContainerEnvironment.Context(nodeName: "node-a")
    private let ports = [PortBinding(container: "main", name: "http", containerPort: 8080, hostPort: 40001)]

    private func values(_ environment: ContainerEnvironment) -> [String: String] {
        Dictionary(environment.variables.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    @Test func serviceVariablesFollowKubernetesNaming() {
        var redis = ServicePort(name: "redis-main", port: 6379)
        redis.protocol = "TCP"
        let variables = ServiceEnvironment.variables(for: [
            service("redis-cache", clusterIP: "10.0.0.11", ports: [redis, ServicePort(name: "metrics", port: 9121)]),
            service("headless", clusterIP: "None", ports: [ServicePort(port: 80)]),
            service("external", clusterIP: nil, ports: [ServicePort(port: 80)], type: "ExternalName"),
        ])
        let map = Dictionary(variables.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(map["REDIS_CACHE_SERVICE_HOST"] == "10.0.0.11")
        #expect(map["REDIS_CACHE_SERVICE_PORT"] == "6379")
        #expect(map["REDIS_CACHE_SERVICE_PORT_REDIS_MAIN"] == "6379")
        #expect(map["REDIS_CACHE_SERVICE_PORT_METRICS"] == "9121")
        #expect(map["REDIS_CACHE_PORT"] == "tcp://10.0.0.11:6379")
        #expect(map["REDIS_CACHE_PORT_6379_TCP"] == "tcp://10.0.0.11:6379")
        #expect(map["REDIS_CACHE_PORT_6379_TCP_PROTO"] == "tcp")
        #expect(map["REDIS_CACHE_PORT_6379_TCP_PORT"] == "6379")
        #expect(map["REDIS_CACHE_PORT_6379_TCP_ADDR"] == "10.0.0.11")
        #expect(map["REDIS_CACHE_PORT_9121_TCP"] == "tcp://10.0.0.11:9121")
        #expect(!map.keys.contains { $0.hasPrefix("HEADLESS") || $0.hasPrefix("EXTERNAL") })
    }

    @Test func precedenceIsServicesThenEnvFromThenEnvThenRuntime() throws {
        var container = Container(name: "main")
        container.command = ["app", "--listen=$(PORT)", "$$(PORT)"]
        container.args = ["$(GREETING)", "$(UNKNOWN)"]
        var fromConfig = EnvFromSource()
        fromConfig.configMapRef = LocalObjectReference(name: "settings")
        var fromSecret = EnvFromSource()
        fromSecret.secretRef = LocalObjectReference(name: "creds")
        fromSecret.prefix = "S_"
        container.envFrom = [fromConfig, fromSecret]
        var fromKey = EnvVar(name: "PASSWORD")
        fromKey.valueFrom = EnvVarSource()
        fromKey.valueFrom?.secretKeyRef = KeySelector(name: "creds", key: "password")
        var label = EnvVar(name: "APP")
        label.valueFrom = EnvVarSource()
        label.valueFrom?.fieldRef = ObjectFieldSelector(fieldPath: "metadata.labels['app']")
        container.env = [
            EnvVar(name: "MODE", value: "explicit"),
            EnvVar(name: "GREETING", value: "hello-$(MODE)-$(DB_SERVICE_HOST)"),
            EnvVar(name: "PORT", value: "1"),
            fromKey, label,
        ]
        var secret = Secret(metadata: ObjectMeta(name: "creds", namespace: "shop"))
        secret.data = ["password": Array("s3cret".utf8), "bad=name": Array("x".utf8)]
        let sources = EnvironmentSources(
            services: [service("db", clusterIP: "10.0.0.2", ports: [ServicePort(port: 5432)])],
            configMaps: [
                "settings": ConfigMap(metadata: ObjectMeta(name: "settings"), data: ["MODE": "from-map", "LEVEL": "3"])
            ],
            secrets: ["creds": secret])
        let environment = try ContainerEnvironment.resolve(
            container, of: pod(container), sources: sources, ports: ports, context: context)
        let map = values(environment)
        #expect(map["MODE"] == "explicit")
        #expect(map["LEVEL"] == "3")
        #expect(map["S_password"] == "s3cret")
        #expect(map["PASSWORD"] == "s3cret")
        #expect(map["APP"] == "web")
        #expect(map["GREETING"] == "hello-explicit-10.0.0.2")
        #expect(map["PORT"] == "40001")  // the runtime's PORT wins over the manifest's
        #expect(map["PORT_HTTP"] == "40001")
        #expect(map["POD_NAME"] == "web-1")
        #expect(map["POD_NAMESPACE"] == "shop")
        #expect(map["DB_SERVICE_HOST"] == "10.0.0.2")
        #expect(environment.invalidNames == ["S_bad=name"])
        #expect(environment.command == ["app", "--listen=40001", "$(PORT)"])
        #expect(environment.args == ["hello-explicit-10.0.0.2", "$(UNKNOWN)"])
        let names = environment.variables.map(\.name)
        #expect(names.firstIndex(of: "DB_SERVICE_HOST")! < names.firstIndex(of: "LEVEL")!)
        #expect(names.firstIndex(of: "LEVEL")! < names.firstIndex(of: "GREETING")!)
        #expect(names.last == "PORT_HTTP")
    }

    @Test(arguments: [
        ("metadata.name", "web-1"), ("metadata.namespace", "shop"), ("metadata.uid", "uid-1"),
        ("metadata.labels['app']", "web"), ("metadata.annotations['team']", "blue"),
        ("metadata.labels['missing']", ""), ("spec.nodeName", "node-a"), ("spec.serviceAccountName", "default"),
        ("status.podIP", "127.0.0.1"), ("status.hostIP", "127.0.0.1"),
    ])
    func fieldReferences(path: String, expected: String) throws {
        var container = Container(name: "main")
        var variable = EnvVar(name: "V")
        variable.valueFrom = EnvVarSource()
        variable.valueFrom?.fieldRef = ObjectFieldSelector(fieldPath: path)
        container.env = [variable]
        let environment = try ContainerEnvironment.resolve(
            container, of: pod(container), sources: EnvironmentSources(), ports: [], context: context)
        #expect(values(environment)["V"] == expected)
    }

    @Test func missingSourcesAreConfigErrorsUnlessOptional() throws {
        var container = Container(name: "main")
        var required = EnvVar(name: "A")
        required.valueFrom = EnvVarSource()
        required.valueFrom?.configMapKeyRef = KeySelector(name: "absent", key: "k")
        container.env = [required]
        #expect(throws: NodeError.self) {
            try ContainerEnvironment.resolve(
                container, of: pod(container), sources: .init(), ports: [], context: context)
        }
        let sources = EnvironmentSources(configMaps: ["absent": ConfigMap(data: ["other": "1"])])
        do {
            _ = try ContainerEnvironment.resolve(
                container, of: pod(container), sources: sources, ports: [], context: context)
            Issue.record("a missing key must fail")
        } catch {
            #expect(error.code == .containerConfig)
            #expect(error.message.contains("couldn't find key k"))
        }
        container.env[0].valueFrom?.configMapKeyRef?.optional = true
        var optionalFrom = EnvFromSource()
        optionalFrom.secretRef = LocalObjectReference(name: "nope", optional: true)
        container.envFrom = [optionalFrom]
        let environment = try ContainerEnvironment.resolve(
            container, of: pod(container), sources: .init(), ports: [], context: context)
        #expect(values(environment)["A"] == nil)

        var resource = EnvVar(name: "CPU")
        resource.valueFrom = EnvVarSource()
        resource.valueFrom?.resourceFieldRef = ResourceFieldSelector(resource: "limits.cpu")
        container.env = [resource]
        #expect(throws: NodeError.self) {
            try ContainerEnvironment.resolve(
                container, of: pod(container), sources: .init(), ports: [], context: context)
        }
    }

    @Test func serviceLinksCanBeTurnedOff() throws {
        var container = Container(name: "main")
        container.command = ["x"]
        var pod = pod(container)
        pod.spec.enableServiceLinks = false
        let environment = try ContainerEnvironment.resolve(
            container, of: pod,
            sources: EnvironmentSources(services: [service("db", clusterIP: "10.0.0.2", ports: [ServicePort(port: 1)])]
            ),
            ports: [], context: context)
        #expect(values(environment)["DB_SERVICE_HOST"] == nil)
    }
}
