import Testing

@testable import API

@Suite struct ServerOwnedFieldsTests {
    @Test func keepsControllerAnnotationsAndOwnershipLabelsButNotUserOnes() {
        let live: Value = [
            "kind": "Deployment",
            "metadata": [
                "name": "web",
                "annotations": ["deployment.kubernetes.io/revision": "3", "team": "old", "kubernetes.io/change-cause": "x"],
                "labels": ["app.kubernetes.io/managed-by": "gitopsd", "gitopsd.io/source": "shop", "tier": "old"],
            ],
        ]
        let desired: Value = ["kind": "Deployment", "metadata": ["name": "web", "labels": ["app": "web"]]]
        let merged = ServerOwnedFields.carryOver(from: live, into: desired)
        #expect(merged[path: ["metadata", "annotations"]]?.stringMap == ["deployment.kubernetes.io/revision": "3"])
        #expect(
            merged[path: ["metadata", "labels"]]?.stringMap == [
                "app": "web", "app.kubernetes.io/managed-by": "gitopsd", "gitopsd.io/source": "shop",
            ])
    }

    @Test func keepsAllocatedServiceAddressesUnlessTheManifestSetsThem() {
        let live: Value = [
            "kind": "Service",
            "spec": [
                "clusterIP": "127.10.0.7", "clusterIPs": ["127.10.0.7"],
                "ports": [["port": 80, "protocol": "TCP", "nodePort": 30080], ["port": 81, "protocol": "TCP", "nodePort": 30081]],
            ],
        ]
        let desired: Value = [
            "kind": "Service",
            "spec": ["ports": [["port": 80, "protocol": "TCP"], ["port": 81, "protocol": "TCP", "nodePort": 31000]]],
        ]
        let merged = ServerOwnedFields.carryOver(from: live, into: desired)
        #expect(merged[path: ["spec", "clusterIP"]] == "127.10.0.7")
        #expect(merged[path: ["spec", "ports"]]?.arrayValue?.map { $0["nodePort"] } == [30080, 31000])
    }
}
