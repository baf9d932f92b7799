import Testing

@testable import API

@Suite struct ResourceKindTests {
    @Test(arguments: [
        ("deployments", "Deployment"), ("deployment", "Deployment"), ("deploy", "Deployment"), ("Deployment", "Deployment"),
        ("deployments.apps", "Deployment"), ("svc", "Service"), ("ing", "Ingress"), ("cm", "ConfigMap"),
        ("ns", "Namespace"), ("po", "Pod"), ("rs", "ReplicaSet"), ("ep", "Endpoints"), ("secret", "Secret"),
        ("secrets", "Secret"), ("ingresses", "Ingress"),
    ])
    func resolvesKubectlAliases(alias: String, kind: String) {
        #expect(ResourceKind.lookup(alias)?.kind == kind)
    }

    @Test func knowsScopeAndAPIVersion() {
        #expect(ResourceKind.lookup("ns")?.isNamespaced == false)
        #expect(ResourceKind.lookup("deploy")?.apiVersion == "apps/v1")
        #expect(ResourceKind.lookup("ing")?.apiVersion == "networking.k8s.io/v1")
        #expect(ResourceKind.lookup("cronjobs") == nil)
    }
}
