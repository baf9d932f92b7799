import API
import Foundation
import Testing

@testable import Orchestrator

@Suite struct ReplicaSetControllerTests {
    static let suffixAlphabet = Set("bcdfghjklmnpqrstvwxz2456789")

    @Test func createsPodsFromTheTemplateAndReportsStatus() async throws {
        try await withControllers(deployments: false) { store in
            let rs = try await store.create(Workloads.replicaSet("web", replicas: 3)).object
            let uid = rs[path: ["metadata", "uid"]]?.stringValue
            try await expectEventually("3 available pods") {
                let status = try await store.replicaSet("web").status
                return status.availableReplicas == 3 && status.readyReplicas == 3
            }
            let pods = try await store.pods()
            #expect(pods.count == 3)
            for pod in pods {
                let name = pod.metadata.name
                #expect(name.hasPrefix("web-") && name.count == 9)
                #expect(name.dropFirst(4).allSatisfy { Self.suffixAlphabet.contains($0) })
                #expect(pod.metadata.labels == ["app": "web"])
                #expect(pod.metadata.namespace == "default")
                let reference = try #require(pod.metadata.ownerReferences.first)
                #expect(reference.kind == "ReplicaSet" && reference.name == "web" && reference.uid == uid)
                #expect(reference.controller == true && reference.blockOwnerDeletion == true)
                #expect(pod.spec.containers.first?.command == ["sleep", "3600"])
            }
            let status = try await store.replicaSet("web").status
            #expect(status.replicas == 3 && status.fullyLabeledReplicas == 3 && status.observedGeneration == 1)
            let events = try await store.events(for: ObjectKey(kind: "ReplicaSet", namespace: "default", name: "web"))
            #expect(events.filter { $0.reason == "SuccessfulCreate" }.count == 3)
            #expect(events.allSatisfy { $0.source == "replicaset-controller" })
        }
    }

    /// Scale-down takes not-ready pods first, then the lowest deletion cost.
    @Test func scaleDownDeletesInKubernetesOrder() async throws {
        try await withControllers(deployments: false) { store in
            _ = try await store.create(Workloads.replicaSet("web", replicas: 4))
            try await expectEventually("4 ready") { try await store.replicaSet("web").status.readyReplicas == 4 }
            let names = try await store.pods().map(\.metadata.name).sorted()
            // One pod turns unready; another is marked cheap to lose.
            var unready = try await store.get(ObjectKey(kind: "Pod", namespace: "default", name: names[2]))
            unready[path: ["status", "conditions"]] = [["type": "Ready", "status": "False"]]
            unready[path: ["metadata", "resourceVersion"]] = nil
            _ = try await store.updateStatus(unready)
            try await store.modify("Pod", names[3]) {
                $0[path: ["metadata", "annotations"]] = ["controller.kubernetes.io/pod-deletion-cost": "-10"]
            }
            try await expectEventually("3 ready reported") {
                try await store.replicaSet("web").status.readyReplicas == 3
            }

            try await store.modify("ReplicaSet", "web") { $0[path: ["spec", "replicas"]] = 2 }
            try await expectEventually("2 pods") { try await store.pods().count == 2 }
            #expect(Set(try await store.pods().map(\.metadata.name)) == Set([names[0], names[1]]))
            try await expectEventually("status follows") {
                let rs = try await store.replicaSet("web")
                return rs.status.replicas == 2 && rs.status.observedGeneration == 2
            }
            let events = try await store.events(for: ObjectKey(kind: "ReplicaSet", namespace: "default", name: "web"))
            #expect(
                events.filter { $0.reason == "SuccessfulDelete" }.map(\.message).sorted()
                    == ["Deleted pod: \(names[2])", "Deleted pod: \(names[3])"])
        }
    }

    @Test func adoptsMatchingOrphansAndReleasesPodsThatStopMatching() async throws {
        try await withControllers(deployments: false) { store in
            _ = try await store.create(Workloads.pod("orphan", labels: ["app": "web"]))
            _ = try await store.create(Workloads.pod("stranger", labels: ["app": "db"]))
            let rs = try await store.create(Workloads.replicaSet("web", replicas: 2)).object
            let uid = rs[path: ["metadata", "uid"]]?.stringValue
            try await expectEventually("2 pods owned, orphan adopted") {
                let owned = try await store.pods(["app": "web"]).filter { $0.ownerUID == uid }
                return owned.count == 2 && owned.contains { $0.metadata.name == "orphan" }
            }
            #expect(try await store.pods(["app": "db"]).first?.metadata.ownerReferences.isEmpty == true)

            // The orphan's labels change: it is released and replaced.
            try await store.modify("Pod", "orphan") { $0[path: ["metadata", "labels", "app"]] = "debug" }
            try await expectEventually("released and replaced") {
                let released = try await store.pods(["app": "debug"]).first
                let owned = try await store.pods(["app": "web"]).filter { $0.ownerUID == uid }
                return released?.metadata.ownerReferences.isEmpty == true && owned.count == 2
            }
        }
    }

    @Test func terminalPodsAreReplacedAndNotCounted() async throws {
        try await withControllers(deployments: false) { store in
            _ = try await store.create(Workloads.replicaSet("job", replicas: 2))
            try await expectEventually("2 ready") { try await store.replicaSet("job").status.readyReplicas == 2 }
            let victim = try #require(try await store.pods().first)
            var failed = victim.toValue()
            failed[path: ["status", "phase"]] = "Failed"
            failed[path: ["metadata", "resourceVersion"]] = nil
            _ = try await store.updateStatus(failed)
            try await expectEventually("a replacement runs beside the failed pod") {
                let pods = try await store.pods()
                return pods.count == 3 && pods.filter { $0.status.phase == "Running" && $0.testIsReady }.count == 2
            }
            try await expectEventually("status counts active pods only") {
                let status = try await store.replicaSet("job").status
                return status.replicas == 2 && status.availableReplicas == 2
            }
        }
    }

    @Test func availabilityWaitsForMinReadySeconds() async throws {
        try await withControllers(deployments: false) { store in
            _ = try await store.create(Workloads.replicaSet("slow", replicas: 2, minReadySeconds: 1))
            try await expectEventually("ready, then available after minReadySeconds") {
                let status = try await store.replicaSet("slow").status
                return status.readyReplicas == 2 && status.availableReplicas == 2
            }
        }
    }
}

/// Pod creates that fail: slow start stops at the first failing batch, `ReplicaFailure` appears on the
/// ReplicaSet and on its Deployment, and both clear once creates work again.
@Suite struct ReplicaFailureTests {
    @Test func failedCreatesAreReportedAndRecovered() async throws {
        let store = try makeStore()
        let faulty = FailingPodCreates(store, succeeding: 3)
        let replicaSets = ReplicaSetController(store: faulty)
        let deployments = DeploymentController(store: faulty)
        let tasks = [
            Task { await replicaSets.run() }, Task { await deployments.run() }, Task { await FakeKubelet().run(store) },
        ]
        defer { for task in tasks { task.cancel() } }

        _ = try await store.create(Workloads.deployment("web", replicas: 5))
        try await expectEventually("ReplicaFailure on the Deployment") {
            let d = try await store.deployment("web")
            return d.status.conditions.contains { $0.type == "ReplicaFailure" && $0.reason == "FailedCreate" }
        }
        let rs = try #require(try await store.replicaSets().first)
        let failure = try #require(rs.status.conditions.first { $0.type == "ReplicaFailure" })
        #expect(failure.status == "True" && failure.reason == "FailedCreate")
        #expect(failure.message?.contains("no space left on device") == true)
        #expect(try await store.pods().count == 3)  // batches 1 and 2 succeeded; the batch of 4 failed
        let events = try await store.events(for: rs.key)
        #expect(events.contains { $0.reason == "FailedCreate" && $0.type == .warning })

        faulty.heal()
        try await expectEventually("recovered") {
            try await DeploymentControllerTests.rolledOut(store, replicas: 5)
        }
        try await expectEventually("conditions cleared") {
            let d = try await store.deployment("web")
            let rs = try await store.replicaSets().first
            return !d.status.conditions.contains { $0.type == "ReplicaFailure" }
                && rs?.status.conditions.contains { $0.type == "ReplicaFailure" } == false
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
