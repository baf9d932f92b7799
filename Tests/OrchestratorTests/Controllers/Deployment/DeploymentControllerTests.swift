import API
import Foundation
import Testing

@testable import Orchestrator

/// The Deployment controller with the ReplicaSet controller and a fake kubelet, against a real store.
@Suite struct DeploymentControllerTests {
    static let key = ObjectKey(kind: "Deployment", namespace: "default", name: "web")

    /// The version a pod value runs (its first env var), for kubelet predicates.
    static func version(_ pod: Value) -> String? {
        pod[path: ["spec", "containers"]]?.arrayValue?.first?["env"]?.arrayValue?.first?["value"]?.stringValue
    }

    /// The rollout is complete with `replicas` pods, all running `version` when given.
    static func rolledOut(
        _ store: SQLiteObjectStore, _ name: String = "web", replicas: Int, version: String? = nil
    ) async throws -> Bool {
        let d = try await store.deployment(name)
        guard (try? Rollout.status(of: d))?.isComplete == true else { return false }
        guard d.status.replicas == replicas && d.status.availableReplicas == replicas else { return false }
        let pods = try await store.pods(["app": name])
        return pods.count == replicas && (version == nil || pods.allSatisfy { $0.version == version })
    }

    static func setVersion(_ store: SQLiteObjectStore, _ version: String, changeCause: String? = nil) async throws {
        try await store.modify("Deployment", "web") { value in
            value[path: ["spec", "template"]] = Workloads.template(app: "web", version: version)
            if let changeCause {
                value[path: ["metadata", "annotations", "kubernetes.io/change-cause"]] = .string(changeCause)
            }
        }
    }

    static func rs(_ store: SQLiteObjectStore, revision: Int) async throws -> ReplicaSet? {
        try await store.replicaSets().first {
            $0.metadata.annotations["deployment.kubernetes.io/revision"] == "\(revision)"
        }
    }

    @Test func createsAHashNamedReplicaSetAndCompletes() async throws {
        try await withControllers { store in
            let created = try await store.create(
                Workloads.deployment("web", replicas: 3, annotations: ["kubernetes.io/change-cause": "abc1234 first"]))
            let uid = created.object[path: ["metadata", "uid"]]?.stringValue
            try await expectEventually("rolled out") { try await Self.rolledOut(store, replicas: 3) }

            let rs = try #require(try await store.replicaSets().first)
            let hash = try #require(rs.metadata.labels["pod-template-hash"])
            #expect(rs.metadata.name == "web-\(hash)")
            #expect(rs.metadata.labels == ["app": "web", "pod-template-hash": hash])
            #expect(rs.spec.selector?.matchLabels == ["app": "web", "pod-template-hash": hash])
            #expect(rs.spec.template.metadata.labels["pod-template-hash"] == hash)
            #expect(rs.metadata.controllerReference?.uid == uid)
            #expect(rs.metadata.controllerReference?.blockOwnerDeletion == true)
            let annotations = rs.metadata.annotations
            #expect(annotations["deployment.kubernetes.io/revision"] == "1")
            #expect(annotations["deployment.kubernetes.io/desired-replicas"] == "3")
            #expect(annotations["deployment.kubernetes.io/max-replicas"] == "4")
            #expect(annotations["kubernetes.io/change-cause"] == "abc1234 first")
            #expect(try await store.pods().allSatisfy { $0.templateHash == hash && $0.ownerUID == rs.metadata.uid })

            let d = try await store.deployment("web")
            #expect(d.metadata.annotations["deployment.kubernetes.io/revision"] == "1")
            #expect(d.status.observedGeneration == d.metadata.generation)
            #expect(d.status.updatedReplicas == 3 && d.status.readyReplicas == 3 && d.status.unavailableReplicas == 0)
            let available = try #require(d.status.conditions.first { $0.type == "Available" })
            #expect(available.status == "True" && available.reason == "MinimumReplicasAvailable")
            let progressing = try #require(d.status.conditions.first { $0.type == "Progressing" })
            #expect(progressing.status == "True" && progressing.reason == "NewReplicaSetAvailable")
            #expect(progressing.message == "ReplicaSet \"web-\(hash)\" has successfully progressed.")
            let events = try await store.events(for: Self.key)
            #expect(
                events.contains {
                    $0.reason == "ScalingReplicaSet" && $0.message == "Scaled up replica set web-\(hash) from 0 to 3"
                })
        }
    }

    /// RollingUpdate: at every state of the pods during the rollout, at most replicas + maxSurge exist and at
    /// least replicas − maxUnavailable are ready.
    @Test(
        arguments: [
            (4, nil, nil, 1, 1),  // the defaults, 25%/25%
            (5, 0, 2, 0, 2),
            (3, 2, 0, 2, 0),
            (6, "50%", "10%", 3, 0),  // 10% of 6 rounds down to 0
        ] as [(Int64, IntOrString?, IntOrString?, Int, Int)])
    func rollingUpdateStaysWithinSurgeAndUnavailability(
        replicas: Int64, maxSurge: IntOrString?, maxUnavailable: IntOrString?, surge: Int, unavailable: Int
    ) async throws {
        var strategy: Value? = nil
        if maxSurge != nil || maxUnavailable != nil {
            var rolling: Value = [:]
            if let maxSurge { rolling["maxSurge"] = Self.value(maxSurge) }
            if let maxUnavailable { rolling["maxUnavailable"] = Self.value(maxUnavailable) }
            strategy = ["type": "RollingUpdate", "rollingUpdate": rolling]
        }
        let replicas = Int(replicas)
        try await withControllers(kubelet: FakeKubelet(delay: .milliseconds(40))) { store in
            _ = try await store.create(Workloads.deployment("web", replicas: Int64(replicas), strategy: strategy))
            try await expectEventually("v1 rolled out") { try await Self.rolledOut(store, replicas: replicas) }
            let (monitor, task) = try await PodMonitor.start(store) { pods in
                let active = pods.filter { $0.status.phase != "Failed" && $0.status.phase != "Succeeded" }
                if active.count > replicas + surge {
                    return "\(active.count) pods exist, more than \(replicas) + \(surge)"
                }
                let ready = active.filter(\.testIsReady).count
                if ready < replicas - unavailable {
                    return "only \(ready) pods ready, fewer than \(replicas) - \(unavailable)"
                }
                return nil
            }
            defer { task.cancel() }
            try await Self.setVersion(store, "2")
            try await expectEventually("v2 rolled out") {
                try await Self.rolledOut(store, replicas: replicas, version: "2")
            }
            task.cancel()
            #expect(await monitor.violations == [])
            #expect(await monitor.states > replicas * 2)
            let old = try #require(try await Self.rs(store, revision: 1))
            let new = try #require(try await Self.rs(store, revision: 2))
            #expect(old.spec.replicas == 0 && new.spec.replicas == replicas)
            #expect(try await store.deployment("web").metadata.annotations["deployment.kubernetes.io/revision"] == "2")
        }
    }

    static func value(_ intOrString: IntOrString) -> Value {
        switch intOrString {
        case .int(let int): .int(Int64(int))
        case .string(let string): .string(string)
        }
    }

    /// A ReplicaSet that is not ours holds the name `web-<hash>`: collisionCount goes up and the hash changes.
    @Test func hashCollisionBumpsCollisionCount() async throws {
        try await withControllers { store in
            var deployment = Workloads.deployment("web", replicas: 1)
            let typed = try Deployment(deployment)
            let template = DeploymentSync.canonicalTemplate(DeploymentSync.defaulted(typed).spec.template)
            let hash = PodTemplateHash.compute(template: template)
            var squatter = Workloads.replicaSet("web-\(hash)", replicas: 0, app: "squatter")
            squatter[path: ["metadata", "labels"]] = ["app": "squatter"]
            _ = try await store.create(squatter)
            deployment[path: ["spec", "minReadySeconds"]] = 1
            _ = try await store.create(deployment)
            try await expectEventually("rolled out under another name") { try await Self.rolledOut(store, replicas: 1) }
            let d = try await store.deployment("web")
            #expect(d.status.collisionCount == 1)
            let ours = try #require(try await store.replicaSets(["app": "web"]).first)
            let newHash = PodTemplateHash.compute(template: template, collisionCount: 1)
            #expect(ours.metadata.name == "web-\(newHash)" && newHash != hash)
            #expect(ours.spec.minReadySeconds == 1)
            #expect(try await store.replicaSet("web-\(hash)").metadata.ownerReferences.isEmpty)
        }
    }

    /// A template change in the middle of a rollout makes the previous new ReplicaSet old ("rollover").
    @Test func rolloverScalesTheIntermediateReplicaSetAway() async throws {
        let kubelet = FakeKubelet(ready: { Self.version($0) != "2" })
        try await withControllers(kubelet: kubelet) { store in
            _ = try await store.create(Workloads.deployment("web", replicas: 3))
            try await expectEventually("v1") { try await Self.rolledOut(store, replicas: 3) }
            try await Self.setVersion(store, "2")  // never ready: stalls with one surge pod
            try await expectEventually("v2 started") { try await Self.rs(store, revision: 2)?.status.replicas == 1 }
            try await Self.setVersion(store, "3")
            try await expectEventually("v3 rolled out") { try await Self.rolledOut(store, replicas: 3, version: "3") }
            #expect(try await Self.rs(store, revision: 2)?.spec.replicas == 0)
            #expect(try await Self.rs(store, revision: 1)?.spec.replicas == 0)
        }
    }

    /// Recreate: the new version's pods never run beside the old version's.
    @Test func recreateNeverOverlaps() async throws {
        try await withControllers(kubelet: FakeKubelet(delay: .milliseconds(20))) { store in
            _ = try await store.create(Workloads.deployment("web", replicas: 3, strategy: ["type": "Recreate"]))
            try await expectEventually("v1 rolled out") { try await Self.rolledOut(store, replicas: 3) }
            let (monitor, task) = try await PodMonitor.start(store) { pods in
                let versions = Set(pods.compactMap(\.version))
                return versions.count > 1 ? "versions \(versions.sorted()) run at once" : nil
            }
            defer { task.cancel() }
            try await Self.setVersion(store, "2")
            try await expectEventually("v2 rolled out") {
                try await Self.rolledOut(store, replicas: 3, version: "2")
            }
            task.cancel()
            #expect(await monitor.violations == [])
            #expect(try await Self.rs(store, revision: 2)?.spec.replicas == 3)
        }
    }

    /// A rollout whose pods never become ready keeps the old pods and reports ProgressDeadlineExceeded.
    @Test func stuckRolloutExceedsItsProgressDeadline() async throws {
        let kubelet = FakeKubelet(ready: { Self.version($0) != "2" })
        try await withControllers(kubelet: kubelet) { store in
            _ = try await store.create(Workloads.deployment("web", replicas: 3, progressDeadlineSeconds: 2))
            try await expectEventually("v1 rolled out") { try await Self.rolledOut(store, replicas: 3) }
            try await Self.setVersion(store, "2")
            try await expectEventually("deadline exceeded") {
                let d = try await store.deployment("web")
                return d.status.conditions.contains {
                    $0.type == "Progressing" && $0.reason == "ProgressDeadlineExceeded"
                }
            }
            let d = try await store.deployment("web")
            let progressing = try #require(d.status.conditions.first { $0.type == "Progressing" })
            #expect(progressing.status == "False")
            #expect(d.status.conditions.first { $0.type == "Available" }?.status == "True")
            let pods = try await store.pods()
            #expect(pods.filter { $0.version == "1" && $0.testIsReady }.count == 3)
            #expect(pods.filter { $0.version == "2" }.count == 1)  // surge 1, unavailable 0
            #expect(throws: RolloutError.self) { try Rollout.status(of: d) }
        }
    }

    /// Going back to an earlier template re-uses its ReplicaSet, which gets the next revision number and keeps
    /// the old one in revision-history; the change cause follows the template.
    @Test func rollbackReusesTheReplicaSetWithANewRevision() async throws {
        try await withControllers { store in
            _ = try await store.create(
                Workloads.deployment("web", replicas: 2, annotations: ["kubernetes.io/change-cause": "c1"]))
            try await expectEventually("v1") { try await Self.rolledOut(store, replicas: 2) }
            let first = try #require(try await Self.rs(store, revision: 1))
            try await Self.setVersion(store, "2", changeCause: "c2")
            try await expectEventually("v2") {
                try await Self.rolledOut(store, replicas: 2, version: "2")
            }
            #expect(try await Self.rs(store, revision: 2)?.metadata.annotations["kubernetes.io/change-cause"] == "c2")

            // `git revert`: the manifest goes back to v1 and its change cause.
            try await Self.setVersion(store, "1", changeCause: "c1")
            try await expectEventually("back on v1") {
                try await Self.rolledOut(store, replicas: 2, version: "1")
            }
            let reused = try #require(try await Self.rs(store, revision: 3))
            #expect(reused.metadata.uid == first.metadata.uid)
            #expect(reused.metadata.annotations["deployment.kubernetes.io/revision-history"] == "1")
            #expect(try await store.replicaSets().count == 2)
            let history = try await Rollout.history(store, deployment: Self.key)
            #expect(history.map(\.number) == [2, 3])
            #expect(history.map(\.changeCause) == ["c2", "c1"])
        }
    }

    @Test func pausedDeploymentScalesButDoesNotRoll() async throws {
        try await withControllers { store in
            _ = try await store.create(Workloads.deployment("web", replicas: 2))
            try await expectEventually("v1") { try await Self.rolledOut(store, replicas: 2) }
            try await Rollout.pause(store, deployment: Self.key)
            try await Self.setVersion(store, "2")
            try await store.modify("Deployment", "web") { $0[path: ["spec", "replicas"]] = 4 }
            try await expectEventually("scaled while paused") {
                let d = try await store.deployment("web")
                return d.status.observedGeneration == d.metadata.generation && d.status.availableReplicas == 4
                    && d.status.conditions.contains { $0.reason == "DeploymentPaused" }
            }
            #expect(try await store.replicaSets().count == 1)
            #expect(try await store.pods().allSatisfy { $0.version == "1" })

            try await Rollout.resume(store, deployment: Self.key)
            try await expectEventually("v2 after resume") {
                try await Self.rolledOut(store, replicas: 4, version: "2")
            }
        }
    }

    /// The documented example: 10 replicas, surge 3, mid-rollout old 8 / new 5, scaled to 15 → 11 / 7.
    @Test func scalingMidRolloutIsProportional() async throws {
        let kubelet = FakeKubelet(ready: { Self.version($0) != "2" })
        try await withControllers(kubelet: kubelet) { store in
            let strategy: Value = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 3, "maxUnavailable": 2]]
            _ = try await store.create(Workloads.deployment("web", replicas: 10, strategy: strategy))
            try await expectEventually("v1") { try await Self.rolledOut(store, replicas: 10) }
            try await Self.setVersion(store, "2")
            try await expectEventually("rollout stalls at old 8, new 5") {
                let old = try await Self.rs(store, revision: 1), new = try await Self.rs(store, revision: 2)
                return old?.spec.replicas == 8 && new?.spec.replicas == 5 && new?.status.replicas == 5
                    && old?.status.replicas == 8
            }
            try await store.modify("Deployment", "web") { $0[path: ["spec", "replicas"]] = 15 }
            try await expectEventually("old 11, new 7") {
                let old = try await Self.rs(store, revision: 1), new = try await Self.rs(store, revision: 2)
                return old?.spec.replicas == 11 && new?.spec.replicas == 7
                    && old?.metadata.annotations["deployment.kubernetes.io/desired-replicas"] == "15"
                    && new?.metadata.annotations["deployment.kubernetes.io/max-replicas"] == "18"
            }
        }
    }

    @Test func revisionHistoryLimitDeletesTheOldestReplicaSets() async throws {
        try await withControllers { store in
            _ = try await store.create(Workloads.deployment("web", replicas: 1, revisionHistoryLimit: 1))
            for version in ["1", "2", "3"] {
                if version != "1" { try await Self.setVersion(store, version) }
                try await expectEventually("v\(version)") {
                    try await Self.rolledOut(store, replicas: 1, version: version)
                }
            }
            try await expectEventually("revision 1 cleaned up") {
                let revisions = try await store.replicaSets().map {
                    $0.metadata.annotations["deployment.kubernetes.io/revision"] ?? ""
                }
                return revisions.sorted() == ["2", "3"]
            }
        }
    }

    @Test func deletingTheDeploymentRemovesItsReplicaSetsAndPods() async throws {
        try await withControllers { store in
            _ = try await store.create(Workloads.deployment("web", replicas: 2))
            try await expectEventually("v1") { try await Self.rolledOut(store, replicas: 2) }
            _ = try await store.delete(Self.key)
            try await expectEventually("all gone") {
                let replicaSets = try await store.replicaSets(), pods = try await store.pods()
                return replicaSets.isEmpty && pods.isEmpty
            }
        }
    }

    @Test func adoptsOrphanedReplicaSetsAndReleasesOnesThatStopMatching() async throws {
        try await withControllers { store in
            // An orphan with the Deployment's labels but another template: adopted, then scaled away as old.
            var orphan = Workloads.replicaSet("web-orphan", replicas: 1, app: "web")
            orphan[path: ["spec", "template", "spec", "containers"]] = [["name": "main", "image": "nginx:1"]]
            _ = try await store.create(orphan)
            let d = try await store.create(Workloads.deployment("web", replicas: 2)).object
            let uid = d[path: ["metadata", "uid"]]?.stringValue
            try await expectEventually("adopted and scaled down") {
                let rs = try await store.replicaSet("web-orphan")
                return rs.metadata.controllerReference?.uid == uid && rs.spec.replicas == 0
            }
            try await expectEventually("v1") { try await Self.rolledOut(store, replicas: 2) }

            try await store.modify("ReplicaSet", "web-orphan") { $0[path: ["metadata", "labels", "app"]] = "retired" }
            try await expectEventually("released") {
                try await store.replicaSet("web-orphan").metadata.ownerReferences.isEmpty
            }
        }
    }
}
