import API
import Testing

@testable import Reconciler

@Suite struct SecretMaskerTests {
    @Test func masksEveryValueAndMarksOnlyChangedKeys() {
        let live: Value = [
            "kind": "Secret", "metadata": ["name": "db"],
            "data": ["user": "YWRtaW4=", "password": "aHVudGVyMg==", "gone": "eA=="],
        ]
        let desired: Value = [
            "kind": "Secret", "metadata": ["name": "db"],
            "data": ["user": "YWRtaW4=", "password": "czNjcmV0", "new": "eQ=="],
        ]
        let masked = SecretMasker.mask(live: live, desired: desired)
        #expect(masked.live?["data"] == ["user": "********", "password": "******** (old)", "gone": "******** (old)"])
        #expect(
            masked.desired?["data"] == ["user": "********", "password": "******** (new)", "new": "******** (new)"])
        for side in [masked.live, masked.desired] {
            let text = side?.jsonString ?? ""
            for secret in ["YWRtaW4=", "aHVudGVyMg==", "czNjcmV0", "eA==", "eQ=="] {
                #expect(!text.contains(secret))
            }
        }
    }

    @Test func masksStringDataAndTheLastAppliedAnnotation() {
        let secret: Value = [
            "kind": "Secret",
            "metadata": ["annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{\"data\":\"x\"}"]],
            "stringData": ["token": "plain-text-token"],
        ]
        let masked = SecretMasker.mask(secret)
        #expect(!masked.jsonString.contains("plain-text-token"))
        #expect(!masked.jsonString.contains("\\\"data\\\""))
    }

    @Test func leavesOtherKindsAlone() {
        let configMap: Value = ["kind": "ConfigMap", "data": ["k": "v"]]
        #expect(SecretMasker.mask(configMap) == configMap)
    }
}
