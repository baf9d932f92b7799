import API
import Foundation
import TestSupport
import Testing

/// `apply`, `get`, `describe` and `delete`, driven through the built binary as a user would.
@Suite struct StoreCommandsTests {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: shop
        data:
          GREETING: hello
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          namespace: shop
        stringData:
          password: hunter2-very-secret
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
          labels: {app: web, tier: front}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: example/web:1
                  command: ["python3", "-m", "http.server"]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
        spec:
          selector: {app: web}
          ports:
            - port: 80
              targetPort: 8000
        """

    let directory: TemporaryDirectory
    var dataDir: String { directory.appending("data") }

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("manifests/app.yaml", Self.manifests)
    }

    func gitopsd(_ arguments: String...) throws -> ProcessResult {
        try ProcessRunner.gitopsd(arguments + ["--data-dir", dataDir])
    }

    @Test func applyReportsCreatedUnchangedAndConfiguredInDependencyOrder() throws {
        let first = try gitopsd("apply", "-f", directory.appending("manifests"))
        #expect(first.status == 0, "\(first.standardError)")
        #expect(
            first.standardOutput.split(separator: "\n") == [
                "namespace/shop created", "configmap/settings created", "secret/db created", "service/web created",
                "deployment/web created",
            ])
        let second = try gitopsd("apply", "-f", directory.appending("manifests"))
        #expect(second.standardOutput.split(separator: "\n").allSatisfy { $0.hasSuffix(" unchanged") })

        try directory.write("manifests/app.yaml", Self.manifests.replacingOccurrences(of: "replicas: 2", with: "replicas: 3"))
        let third = try gitopsd("apply", "-f", directory.appending("manifests"))
        #expect(third.standardOutput.contains("deployment/web configured"))
        #expect(third.standardOutput.contains("service/web unchanged"))
    }

    @Test func anInvalidManifestAppliesNothing() throws {
        try directory.write("manifests/bad.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: Not_Valid
              namespace: shop
            """)
        let result = try gitopsd("apply", "-f", directory.appending("manifests"))
        #expect(result.status == 1)
        #expect(result.standardError.contains("bad.yaml:4:"))
        #expect(result.standardError.contains("nothing applied"))
        let get = try gitopsd("get", "ns", "shop")
        #expect(get.status == 1)
        #expect(get.standardError.contains("namespaces \"shop\" not found"))
    }

    @Test func getListsWithColumnsSelectorsAndStructuredOutput() throws {
        try #require(try gitopsd("apply", "-f", directory.appending("manifests")).status == 0)
        let table = try gitopsd("get", "deploy", "-n", "shop")
        let lines = table.standardOutput.split(separator: "\n")
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"])
        #expect(lines.dropFirst().first?.hasPrefix("web ") == true)

        let json = try gitopsd("get", "svc", "-A", "-o", "json")
        let list = try Value(json: json.standardOutput)
        #expect(list["kind"] == "List")
        #expect(list["items"]?.arrayValue?.map { $0[path: ["metadata", "name"]] } == ["web"])
        #expect(list["items"]?.arrayValue?.first?[path: ["spec", "ports"]]?.arrayValue?.first?["targetPort"] == 8000)

        let selected = try gitopsd("get", "deployments", "-n", "shop", "-l", "tier in (front),app=web")
        #expect(selected.standardOutput.contains("web"))
        let none = try gitopsd("get", "deployments", "-n", "shop", "-l", "tier=back")
        #expect(none.standardOutput.isEmpty)
        #expect(none.standardError.contains("No resources found in shop namespace."))

        let unknown = try gitopsd("get", "widgets")
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("doesn't have a resource type \"widgets\""))
    }

    @Test func describeShowsEssentialsButNeverSecretValues() throws {
        try #require(try gitopsd("apply", "-f", directory.appending("manifests")).status == 0)
        let deployment = try gitopsd("describe", "deployment", "web", "-n", "shop")
        #expect(deployment.status == 0)
        #expect(deployment.standardOutput.contains("Replicas:       2 desired"))
        #expect(deployment.standardOutput.contains("Image:          example/web:1"))
        let secret = try gitopsd("describe", "secret/db", "-n", "shop")
        #expect(secret.standardOutput.contains("password:  19 bytes"))
        #expect(!secret.standardOutput.contains("hunter2"))
    }

    @Test func deleteCascadesFromANamespace() throws {
        try #require(try gitopsd("apply", "-f", directory.appending("manifests")).status == 0)
        let deleted = try gitopsd("delete", "deployment/web", "-n", "shop")
        #expect(deleted.standardOutput == "deployment/web deleted\n")
        let missing = try gitopsd("delete", "deployment", "web", "-n", "shop")
        #expect(missing.status == 1)
        #expect(try gitopsd("delete", "ns", "shop").status == 0)
        let left = try gitopsd("get", "cm", "-n", "shop")
        #expect(left.standardOutput.isEmpty)
    }
}
