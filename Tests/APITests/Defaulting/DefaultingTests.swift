import Testing

@testable import API

@Suite struct DefaultingTests {
    func object(_ yaml: String) throws -> TypedObject {
        let set = ManifestLoader().load(files: [ManifestFile(path: "m.yaml", bytes: Array(yaml.utf8))])
        #expect(set.errors == [])
        return try #require(set.objects.first?.object)
    }

    @Test func deploymentAndPodDefaults() throws {
        let yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: a, image: nginx, ports: [{containerPort: 80}], readinessProbe: {httpGet: {port: 80}}}
                  - {name: b, image: "nginx:1.2"}
                  - {name: c, image: "r.io/x@sha256:abc"}
            """
        guard case .deployment(let d) = try object(yaml).defaulted() else { Issue.record("kind"); return }
        #expect(d.metadata.namespace == "default")
        #expect(d.spec.replicas == 1)
        #expect(d.spec.strategy?.type == "RollingUpdate")
        #expect(d.spec.strategy?.rollingUpdate == RollingUpdateDeployment(maxUnavailable: "25%", maxSurge: "25%"))
        #expect(d.spec.revisionHistoryLimit == 10)
        #expect(d.spec.progressDeadlineSeconds == 600)
        let pod = d.spec.template.spec
        #expect(pod.restartPolicy == "Always")
        #expect(pod.terminationGracePeriodSeconds == 30)
        #expect(pod.dnsPolicy == "ClusterFirst")
        #expect(pod.containers.map(\.imagePullPolicy) == ["Always", "IfNotPresent", "IfNotPresent"])
        #expect(pod.containers[0].ports[0].protocol == "TCP")
        let probe = try #require(pod.containers[0].readinessProbe)
        #expect([probe.timeoutSeconds, probe.periodSeconds, probe.successThreshold, probe.failureThreshold] == [1, 10, 1, 3])
        #expect(probe.httpGet?.path == "/")
        #expect(probe.httpGet?.scheme == "HTTP")
    }

    @Test func serviceDefaults() throws {
        let yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"
        guard case .service(let s) = try object(yaml).defaulted() else { Issue.record("kind"); return }
        #expect(s.spec.type == "ClusterIP")
        #expect(s.spec.sessionAffinity == "None")
        #expect(s.spec.ports[0].protocol == "TCP")
        #expect(s.spec.ports[0].targetPort == .int(80))
    }

    @Test func secretStringDataIsMergedIntoData() throws {
        let yaml = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: eA==, b: eA==}\nstringData: {b: z}\n"
        guard case .secret(let s) = try object(yaml).defaulted() else { Issue.record("kind"); return }
        #expect(s.type == "Opaque")
        #expect(s.data == ["a": Array("x".utf8), "b": Array("z".utf8)])
        #expect(s.stringData.isEmpty)
    }

    @Test(arguments: [
        // Omitted defaults vs explicit defaults.
        (
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default, labels: {}}\nspec: {type: ClusterIP, sessionAffinity: None, selector: {}, ports: [{port: 80.0, targetPort: 80, protocol: TCP}]}\nstatus: {}\n"
        ),
        // stringData vs data.
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: hi}\n",
            "apiVersion: v1\nkind: Secret\ntype: Opaque\nmetadata: {name: s}\ndata: {k: aGk=}\n"
        ),
        // Key order and quoting.
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1', b: x}\n",
            "{\"kind\": \"ConfigMap\", \"data\": {\"b\": \"x\", \"a\": \"1\"}, \"apiVersion\": \"v1\", \"metadata\": {\"name\": \"c\"}}"
        ),
    ])
    func sameMeaningSameCanonicalForm(a: String, b: String) throws {
        #expect(try object(a).canonicalJSON == object(b).canonicalJSON)
    }

    @Test func intAndPercentStayDistinct() throws {
        let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n"
        let one = try object(base + "  strategy: {rollingUpdate: {maxSurge: 25}}\n")
        let percent = try object(base + "  strategy: {rollingUpdate: {maxSurge: 25%}}\n")
        #expect(one.canonicalJSON != percent.canonicalJSON)
        #expect(try object(base).canonicalJSON == percent.canonicalJSON)
    }

    @Test func canonicalFormDropsStatusAndServerFields() throws {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, uid: u, resourceVersion: '5', creationTimestamp: null}\n"
        #expect(try object(yaml).canonicalValue == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "default"]])
    }
}
