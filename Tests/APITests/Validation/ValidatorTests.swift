import Testing

@testable import API

@Suite struct ValidatorTests {
    /// Loads one YAML manifest and returns "field: message" of each error.
    func errors(_ yaml: String) -> [String] {
        let set = ManifestLoader().load(files: [ManifestFile(path: "m.yaml", bytes: Array(yaml.utf8))])
        return set.errors.map { "\($0.field ?? ""): \($0.message)" }
    }

    func deployment(spec: String = "", container: String = "", labels: String = "app: web") -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
        \(spec)
          template:
            metadata: {labels: {\(labels)}}
            spec:
              containers:
              - name: web
                image: web:1
        \(container)
        """
    }

    @Test func validDeploymentHasNoErrors() {
        #expect(errors(deployment()) == [])
    }

    @Test(arguments: [
        ("  replicas: -1", "spec.replicas"),
        ("  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}", "spec.strategy.rollingUpdate"),
        ("  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0%}}", "spec.strategy.rollingUpdate.maxUnavailable"),
        ("  strategy: {rollingUpdate: {maxUnavailable: 120%}}", "spec.strategy.rollingUpdate.maxUnavailable"),
        ("  strategy: {rollingUpdate: {maxSurge: 5x}}", "spec.strategy.rollingUpdate.maxSurge"),
        ("  strategy: {type: BlueGreen}", "spec.strategy.type"),
        ("  minReadySeconds: 700", "spec.progressDeadlineSeconds"),
        ("  revisionHistoryLimit: -2", "spec.revisionHistoryLimit"),
    ])
    func deploymentSpecRules(spec: String, field: String) {
        #expect(errors(deployment(spec: spec)).contains { $0.hasPrefix(field + ":") })
    }

    @Test(arguments: [
        ("        ports: [{containerPort: 0}]", "spec.template.spec.containers[0].ports[0].containerPort"),
        ("        ports: [{containerPort: 80, name: http}, {containerPort: 81, name: http}]",
         "spec.template.spec.containers[0].ports[1].name"),
        ("        ports: [{containerPort: 80, name: Too_Long_Port_Name}]", "spec.template.spec.containers[0].ports[0].name"),
        ("        ports: [{containerPort: 80, protocol: HTTP}]", "spec.template.spec.containers[0].ports[0].protocol"),
        ("        readinessProbe: {periodSeconds: 5}", "spec.template.spec.containers[0].readinessProbe"),
        ("        livenessProbe: {exec: {command: [x]}, tcpSocket: {port: 1}}", "spec.template.spec.containers[0].livenessProbe"),
        ("        livenessProbe: {exec: {command: [x]}, successThreshold: 2}",
         "spec.template.spec.containers[0].livenessProbe.successThreshold"),
        ("        readinessProbe: {httpGet: {port: metrics}}", "spec.template.spec.containers[0].readinessProbe.httpGet.port"),
        ("        env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]",
         "spec.template.spec.containers[0].env[0].valueFrom"),
        ("        env: [{name: A, valueFrom: {secretKeyRef: {name: s}}}]",
         "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key"),
        ("        env: [{name: 'A=B', value: x}]", "spec.template.spec.containers[0].env[0].name"),
        ("        env: [{name: A, value: yes}]", "spec.template.spec.containers[0].env[0].value"),
        ("        envFrom: [{prefix: X}]", "spec.template.spec.containers[0].envFrom[0]"),
        ("        imagePullPolicy: Sometimes", "spec.template.spec.containers[0].imagePullPolicy"),
        ("      - name: web\n        image: other", "spec.template.spec.containers[1].name"),
        ("      restartPolicy: Never", "spec.template.spec.restartPolicy"),
    ])
    func containerRules(container: String, field: String) {
        let found = errors(deployment(container: container))
        #expect(found.contains { $0.hasPrefix(field + ":") }, "\(found)")
    }

    @Test func selectorMustMatchTemplateLabels() {
        #expect(errors(deployment(labels: "app: other")).contains { $0.contains("does not match template") })
    }

    @Test func emptySelectorIsInvalid() {
        let yaml = deployment().replacingOccurrences(of: "selector: {matchLabels: {app: web}}", with: "selector: {}")
        #expect(errors(yaml).contains { $0.contains("empty selector is invalid") })
    }

    @Test(arguments: [
        ("Bad_Name", true), ("web", false), ("a.b", false), (String(repeating: "a", count: 254), true),
    ])
    func subdomainNames(name: String, invalid: Bool) {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"\(name)\"}\n"
        #expect(errors(yaml).contains { $0.hasPrefix("metadata.name:") } == invalid)
    }

    @Test func serviceNamesAreDNS1035Labels() {
        let yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}\n"
        #expect(errors(yaml).contains { $0.hasPrefix("metadata.name:") })
    }

    @Test(arguments: [
        ("\"a/b/c\": x", "metadata.labels[a/b/c]"), ("\"-x\": x", "metadata.labels.-x"),
        ("app: \"-bad-\"", "metadata.labels.app"), ("app: \(String(repeating: "v", count: 64))", "metadata.labels.app"),
    ])
    func labelRules(label: String, field: String) {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {\(label)}}\n"
        #expect(errors(yaml).contains { $0.hasPrefix(field + ":") }, "\(errors(yaml))")
    }

    @Test func annotationsAreLimitedTo256KiB() {
        let big = String(repeating: "x", count: 262_145)
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {a: \(big)}}\n"
        #expect(errors(yaml).contains { $0.hasPrefix("metadata.annotations:") })
    }

    @Test func clusterScopedKindsHaveNoNamespace() {
        let yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, namespace: default}\n"
        #expect(errors(yaml).contains { $0.hasPrefix("metadata.namespace:") })
    }

    @Test(arguments: [
        ("{ports: [{port: 0}]}", "spec.ports[0].port"),
        ("{}", "spec.ports"),
        ("{ports: [{port: 80}, {port: 81}]}", "spec.ports[0].name"),
        ("{ports: [{port: 80, name: a}, {port: 81, name: a}]}", "spec.ports[1].name"),
        ("{ports: [{port: 80, nodePort: 30000}]}", "spec.ports[0].nodePort"),
        ("{type: ExternalName}", "spec.externalName"),
        ("{type: Magic, ports: [{port: 1}]}", "spec.type"),
        ("{ports: [{port: 80, targetPort: 0}]}", "spec.ports[0].targetPort"),
        ("{sessionAffinity: ClientIP, sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}, ports: [{port: 1}]}",
         "spec.sessionAffinityConfig.clientIP.timeoutSeconds"),
        ("{ports: [{port: 1}], externalTrafficPolicy: Local}", "spec.externalTrafficPolicy"),
    ])
    func serviceRules(spec: String, field: String) {
        let yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: \(spec)\n"
        #expect(errors(yaml).contains { $0.hasPrefix(field + ":") }, "\(errors(yaml))")
    }

    @Test(arguments: [
        ("{}", "spec"),
        ("{rules: [{http: {paths: [{path: /, backend: {service: {name: web, port: {number: 80}}}}]}}]}",
         "spec.rules[0].http.paths[0].pathType"),
        ("{rules: [{http: {paths: [{path: a, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}",
         "spec.rules[0].http.paths[0].path"),
        ("{rules: [{http: {paths: [{path: /a//b, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}]}}]}",
         "spec.rules[0].http.paths[0].path"),
        ("{rules: [{http: {paths: [{path: /, pathType: Fuzzy, backend: {service: {name: web, port: {number: 80}}}}]}}]}",
         "spec.rules[0].http.paths[0].pathType"),
        ("{rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web}}}]}}]}",
         "spec.rules[0].http.paths[0].backend.service.port"),
        ("{rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 1, name: a}}}}]}}]}",
         "spec.rules[0].http.paths[0].backend.service.port"),
        ("{rules: [{host: 10.0.0.1, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: w, port: {number: 1}}}}]}}]}",
         "spec.rules[0].host"),
        ("{rules: [{host: \"*\", http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: w, port: {number: 1}}}}]}}]}",
         "spec.rules[0].host"),
        ("{rules: [{http: {paths: []}}]}", "spec.rules[0].http.paths"),
    ])
    func ingressRules(spec: String, field: String) {
        let yaml = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec: \(spec)\n"
        #expect(errors(yaml).contains { $0.hasPrefix(field + ":") }, "\(errors(yaml))")
    }

    @Test func configMapAndSecretKeys() {
        #expect(errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {\"a b\": x}\n").contains {
            $0.hasPrefix("data[a b]:")
        })
        #expect(errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: x}\nbinaryData: {k: eA==}\n").contains {
            $0.hasPrefix("binaryData.k:")
        })
        #expect(errors("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\nstringData: {tls.crt: x}\n").contains {
            $0.hasPrefix("data[tls.key]:")
        })
        #expect(errors("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: \"%%%\"}\n").contains {
            $0.hasPrefix("data.k:")
        })
    }

    @Test func requiredNameAndDuplicateObjects() {
        #expect(errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n").contains { $0.hasPrefix("metadata.name:") })
        let twice = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n"
        #expect(errors(twice).contains { $0.contains("also defined at m.yaml:1:1") })
    }

    @Test func collectsAllErrorsWithLocations() {
        let set = ManifestLoader().load(files: [
            ManifestFile(path: "m.yaml", bytes: Array(deployment(spec: "  replicas: -1", container: "        ports: [{containerPort: 0}]").utf8))
        ])
        #expect(set.errors.count == 2)
        #expect(set.errors.map { $0.description } == [
            "m.yaml:6:3: Deployment/web: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "m.yaml:13:18: Deployment/web: spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive",
        ])
    }
}
