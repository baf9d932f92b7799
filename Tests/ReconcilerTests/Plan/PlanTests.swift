import API
import Testing

@testable import Reconciler

@Suite struct PlanTests {
    func object(_ kind: String, _ name: String, _ version: Int = 1) -> (ObjectKey, Value) {
        let namespace = kind == "Namespace" ? "" : "shop"
        return (
            ObjectKey(kind: kind, namespace: namespace, name: name),
            ["kind": .string(kind), "metadata": ["name": .string(name)], "spec": ["v": .int(Int64(version))]]
        )
    }

    @Test func ordersAppliesByDependencyAndDeletesInReverse() {
        let desired = Dictionary(uniqueKeysWithValues: [
            object("Ingress", "shop"), object("Deployment", "web"), object("Namespace", "shop"),
            object("Service", "web"), object("ConfigMap", "web-config"), object("Secret", "db"),
        ])
        let live = Dictionary(uniqueKeysWithValues: [
            object("Deployment", "old"), object("Ingress", "old"), object("ConfigMap", "old"),
        ])
        let plan = Plan(desired: desired, live: live, prune: true) { $0 == $1 }
        #expect(
            plan.changes.map { "\($0.action.rawValue) \($0.key.kind)/\($0.key.name)" } == [
                "create Namespace/shop", "create ConfigMap/web-config", "create Secret/db", "create Service/web",
                "create Deployment/web", "create Ingress/shop",
                "delete Ingress/old", "delete Deployment/old", "delete ConfigMap/old",
            ])
    }

    @Test func updatesOnlyWhatIsOutOfSyncAndPrunesOnlyWhenAsked() {
        let desired = Dictionary(uniqueKeysWithValues: [object("Deployment", "web", 2), object("Service", "web")])
        let live = Dictionary(uniqueKeysWithValues: [
            object("Deployment", "web", 1), object("Service", "web"), object("ConfigMap", "stale"),
        ])
        let plan = Plan(desired: desired, live: live, prune: false) { $0 == $1 }
        #expect(plan.changes.map(\.action) == [.update])
        #expect(plan.changes.first?.live?[path: ["spec", "v"]] == 1)
        #expect(plan.count(.delete) == 0)
        let pruning = Plan(desired: desired, live: live, prune: true) { $0 == $1 }
        #expect(pruning.count(.delete) == 1)
        #expect(Plan(desired: live, live: live, prune: true) { $0 == $1 }.isEmpty)
    }
}
