import API
import Foundation
import Testing

@testable import Orchestrator

/// kubectl's client-side rollout logic (`Rollout`), against the store with the controllers running.
@Suite struct RolloutTests {
    static let key = ObjectKey(kind: "Deployment", namespace: "default", name: "web")

    static func deployment(
        generation: Int = 2, observed: Int = 2, replicas: Int = 3, updated: Int = 0, total: Int = 0, available: Int = 0,
        progressing: String? = nil
    ) -> Deployment {
        var d = Deployment(metadata: ObjectMeta(name: "web", namespace: "default"))
        d.metadata.generation = generation
        d.metadata.annotations["deployment.kubernetes.io/revision"] = "2"
        d.spec.replicas = replicas
        d.status.observedGeneration = observed
        d.status.updatedReplicas = updated
        d.status.replicas = total
        d.status.availableReplicas = available
        if let progressing {
            d.status.conditions = [Condition(type: "Progressing", status: "False", reason: progressing)]
        }
        return d
    }

    @Test func statusLinesAreKubectls() throws {
        let prefix = "Waiting for deployment \"web\" rollout to finish: "
        let cases: [(Deployment, String, Bool)] = [
            (Self.deployment(generation: 3), "Waiting for deployment spec update to be observed...", false),
            (Self.deployment(updated: 1, total: 4), prefix + "1 out of 3 new replicas have been updated...", false),
            (Self.deployment(updated: 3, total: 4), prefix + "1 old replicas are pending termination...", false),
            (
                Self.deployment(updated: 3, total: 3, available: 2),
                prefix + "2 of 3 updated replicas are available...", false
            ),
            (Self.deployment(updated: 3, total: 3, available: 3), "deployment \"web\" successfully rolled out", true),
        ]
        for (deployment, message, complete) in cases {
            let report = try Rollout.status(of: deployment)
            #expect(report.message == message)
            #expect(report.isComplete == complete)
        }
        #expect(throws: RolloutError(.progressDeadlineExceeded, "deployment \"web\" exceeded its progress deadline")) {
            try Rollout.status(of: Self.deployment(progressing: "ProgressDeadlineExceeded"))
        }
        #expect(
            throws: RolloutError(.revisionMismatch, "desired revision (5) is different from the running revision (2)")
        ) {
            try Rollout.status(of: Self.deployment(), revision: 5)
        }
    }

    @Test func historyTableIsPaddedLikeKubectl() {
        let template: Value = [:]
        let table = Rollout.historyTable([
            .init(number: 1, changeCause: nil, template: template, replicaSet: "a"),
            .init(number: 12, changeCause: "abc1234 Bump", template: template, replicaSet: "b"),
        ])
        #expect(table == "REVISION  CHANGE-CAUSE\n1         <none>\n12        abc1234 Bump")
    }

    @Test func undoPauseResumeRestartAndScale() async throws {
        try await withControllers { store in
            _ = try await store.create(
                Workloads.deployment("web", replicas: 2, annotations: ["kubernetes.io/change-cause": "c1"]))
            try await expectEventually("v1") { try await DeploymentControllerTests.rolledOut(store, replicas: 2) }
            await #expect(throws: RolloutError(.noHistory, "no rollout history found for deployment \"web\"")) {
                try await Rollout.undo(store, deployment: Self.key)
            }
            try await DeploymentControllerTests.setVersion(store, "2", changeCause: "c2")
            try await expectEventually("v2") {
                try await DeploymentControllerTests.rolledOut(store, replicas: 2, version: "2")
            }

            // Undo to the previous revision: template and change cause come back; revision 1 becomes 3.
            #expect(try await Rollout.undo(store, deployment: Self.key) == "rolled back")
            try await expectEventually("back on v1") {
                try await DeploymentControllerTests.rolledOut(store, replicas: 2, version: "1")
            }
            let d = try await store.deployment("web")
            #expect(d.metadata.annotations["kubernetes.io/change-cause"] == "c1")
            #expect(d.metadata.annotations["deployment.kubernetes.io/revision"] == "3")
            let history = try await Rollout.history(store, deployment: Self.key)
            #expect(history.map(\.number) == [2, 3])
            #expect(history.map(\.changeCause) == ["c2", "c1"])
            #expect(
                try await Rollout.undo(store, deployment: Self.key, toRevision: 3)
                    == "skipped rollback (current template already matches revision 3)")
            await #expect(throws: RolloutError(.revisionNotFound, "unable to find specified revision 1 in history")) {
                try await Rollout.undo(store, deployment: Self.key, toRevision: 1)
            }

            // Pause and resume, each refused when already in that state.
            try await Rollout.pause(store, deployment: Self.key)
            await #expect(throws: RolloutError(.invalidState, "is already paused")) {
                try await Rollout.pause(store, deployment: Self.key)
            }
            await #expect(throws: RolloutError.self) { try await Rollout.undo(store, deployment: Self.key) }
            await #expect(throws: RolloutError.self) { try await Rollout.restart(store, deployment: Self.key) }
            try await Rollout.resume(store, deployment: Self.key)
            await #expect(throws: RolloutError(.invalidState, "is not paused")) {
                try await Rollout.resume(store, deployment: Self.key)
            }

            // Restart rolls new pods of the same template; scale resizes.
            let before = Set(try await store.pods().map(\.metadata.name))
            try await Rollout.restart(store, deployment: Self.key)
            try await Rollout.scale(store, deployment: Self.key, replicas: 3)
            try await expectEventually("restarted with 3 new pods") {
                let pods = try await store.pods()
                return try await DeploymentControllerTests.rolledOut(store, replicas: 3, version: "1")
                    && before.isDisjoint(with: pods.map(\.metadata.name))
            }
            #expect(
                try await store.deployment("web").spec.template.metadata.annotations[
                    "kubectl.kubernetes.io/restartedAt"] != nil)
            await #expect(throws: RolloutError(.notFound, "deployments.apps \"nope\" not found")) {
                try await Rollout.pause(
                    store, deployment: ObjectKey(kind: "Deployment", namespace: "default", name: "nope"))
            }
        }
    }
}
