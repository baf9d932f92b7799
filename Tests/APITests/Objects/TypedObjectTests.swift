import Testing

@testable import API

@Suite struct TypedObjectTests {
    static let deployment: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "namespace": "shop", "labels": ["app": "web"]],
        "spec": [
            "replicas": 2, "selector": ["matchLabels": ["app": "web"]],
            "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "50%", "maxUnavailable": 0]],
            "template": [
                "metadata": ["labels": ["app": "web"]],
                "spec": [
                    "containers": [
                        [
                            "name": "web", "image": "nginx:1.27", "command": ["nginx"], "args": ["-g", "daemon off;"],
                            "ports": [["name": "http", "containerPort": 80]],
                            "env": [
                                ["name": "A", "value": "1"],
                                ["name": "B", "valueFrom": ["configMapKeyRef": ["name": "c", "key": "k"]]],
                            ],
                            "resources": ["limits": ["cpu": "1"]],
                        ]
                    ],
                    "volumes": [["name": "tmp", "emptyDir": [:]]],
                ],
            ],
        ],
    ]

    @Test func roundTripsThroughTypedObjects() throws {
        let deployment = try Deployment(Self.deployment)
        #expect(deployment.spec.replicas == 2)
        #expect(deployment.spec.template.spec.containers[0].env[1].valueFrom?.configMapKeyRef?.key == "k")
        #expect(deployment.spec.strategy?.rollingUpdate?.maxSurge == .string("50%"))
        #expect(deployment.spec.template.spec.retainedFields["volumes"] != nil)
        #expect(deployment.toValue() == Self.deployment)
        #expect(try TypedObject(Self.deployment) == .deployment(deployment))
    }

    @Test func unknownFieldsAreErrorsWithASuggestion() {
        var value = Self.deployment
        value[path: ["spec", "replica"]] = 3
        do {
            _ = try Deployment(value)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unknownField)
            #expect(error.field == "spec.replica")
            #expect(error.message.contains("did you mean \"replicas\""))
        }
    }

    @Test func wrongTypesAreErrors() {
        var value = Self.deployment
        value[path: ["spec", "replicas"]] = "three"
        #expect(throws: APIError.self) { try Deployment(value) }
    }

    @Test func unknownKindListsTheSupportedKinds() {
        do {
            _ = try TypedObject(["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "x"]])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unknownKind)
            #expect(error.message.contains("Deployment (apps/v1)"))
        }
    }

    @Test func wrongAPIVersionIsAnError() {
        var value = Self.deployment
        value["apiVersion"] = "extensions/v1beta1"
        #expect(throws: APIError.self) { try Deployment(value) }
    }

    @Test func secretDataIsBase64() throws {
        let secret = try Secret(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "data": ["k": "aGk="]])
        #expect(secret.data["k"] == Array("hi".utf8))
        #expect(throws: APIError.self) {
            try Secret(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "data": ["k": "not base64!"]])
        }
    }

    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func base64RoundTrips(text: String) {
        #expect(Base64.decode(Base64.encode(Array(text.utf8))) == Array(text.utf8))
    }
}
