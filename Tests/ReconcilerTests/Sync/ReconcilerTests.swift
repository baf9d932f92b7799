import API
import Foundation
import Orchestrator
import Testing

@testable import Reconciler

/// The reconciler against the real object store: what ends up live is what is checked.
@Suite struct ReconcilerTests {
    let store: SQLiteObjectStore
    let reconciler: Reconciler

    init() throws {
        store = try SQLiteObjectStore.temporary()
        reconciler = Reconciler(client: InProcessClusterClient(store: store))
    }

    static func app(image: String = "web:1", replicas: Int = 2, extra: String = "") -> [ManifestFile] {
        let text = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: shop}
            data: {GREETING: hello}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: db, namespace: shop}
            stringData: {password: swordfish-1}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              replicas: \(replicas)
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                    - name: web
                      image: \(image)
                      command: [python3, -m, http.server]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: 8000}]
            \(extra)
            """
        return [ManifestFile(path: "manifests/app.yaml", bytes: Array(text.utf8))]
    }

    func revision(_ commit: String, _ files: [ManifestFile], source: String = "shop") -> SourceRevision {
        SourceRevision(
            source: source, commit: commit + String(repeating: "0", count: 40 - commit.count), subject: "change \(commit)",
            author: "Dev <dev@example.com>", files: files)
    }

    func live(_ kind: String, _ name: String, namespace: String = "shop") async throws -> Value {
        try await store.get(ObjectKey(kind: kind, namespace: namespace, name: name))
    }

    @Test func firstSyncCreatesEverythingLabelledAndAnnotated() async throws {
        let (record, plan) = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        #expect(record.result == .applied)
        #expect(record.created == 5 && record.updated == 0 && record.deleted == 0)
        #expect(plan?.plan.changes.first?.key.kind == "Namespace")
        let deployment = try await live("Deployment", "web")
        #expect(deployment[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]] == "gitopsd")
        #expect(deployment[path: ["metadata", "labels", "gitopsd.io/source"]] == "shop")
        #expect(deployment[path: ["metadata", "annotations", "gitopsd.io/commit"]]?.stringValue?.hasPrefix("aaaaaaa") == true)
        #expect(deployment[path: ["metadata", "annotations", "kubernetes.io/change-cause"]] == "aaaaaaa change aaaaaaa")
        // Defaults were applied as the API server would.
        #expect(deployment[path: ["spec", "strategy", "type"]] == "RollingUpdate")
    }

    @Test func anUnchangedCommitIsInSyncAndKeepsTheChangeCause() async throws {
        _ = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        let (record, _) = await reconciler.sync(revision("bbbbbbb", Self.app()), options: SyncOptions())
        #expect(record.result == .inSync)
        let deployment = try await live("Deployment", "web")
        #expect(deployment[path: ["metadata", "annotations", "kubernetes.io/change-cause"]] == "aaaaaaa change aaaaaaa")
    }

    @Test func aChangedTemplateUpdatesOnlyThatObjectAndNamesTheNewCommit() async throws {
        _ = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        let (record, plan) = await reconciler.sync(revision("ccccccc", Self.app(image: "web:2")), options: SyncOptions())
        #expect(record.result == .applied)
        #expect(plan?.plan.changes.map(\.key.description) == ["Deployment/shop/web"])
        let deployment = try await live("Deployment", "web")
        #expect(deployment[path: ["metadata", "annotations", "kubernetes.io/change-cause"]] == "ccccccc change ccccccc")
        let diff = plan?.diff() ?? ""
        #expect(diff.contains("+        image: web:2"), "\(diff)")
    }

    @Test func prunesWhatTheCommitNoLongerDeclaresOnlyWhenAsked() async throws {
        let withExtra = Self.app(extra: "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: shop}\n")
        _ = await reconciler.sync(revision("aaaaaaa", withExtra), options: SyncOptions())
        let (kept, _) = await reconciler.sync(revision("bbbbbbb", Self.app()), options: SyncOptions(prune: false))
        #expect(kept.result == .inSync)
        _ = try await live("ConfigMap", "extra")
        let (pruned, _) = await reconciler.sync(revision("bbbbbbb", Self.app()), options: SyncOptions(prune: true))
        #expect(pruned.deleted == 1)
        await #expect(throws: StoreError.self) { try await live("ConfigMap", "extra") }
    }

    @Test func anInvalidCommitAppliesNothingAndSaysWhere() async throws {
        _ = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        var broken = Self.app(image: "web:2")
        broken.append(ManifestFile(path: "manifests/bad.yaml", bytes: Array("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\n  nmespace: shop\n".utf8)))
        let (record, plan) = await reconciler.sync(revision("ddddddd", broken), options: SyncOptions())
        #expect(record.result == .failed)
        #expect(plan == nil)
        #expect(record.errors.contains { $0.contains("manifests/bad.yaml:5:3") && $0.contains("nmespace") })
        let deployment = try await live("Deployment", "web")
        #expect(deployment[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["image"] == "web:1")
    }

    @Test func anEmptyCommitIsRefusedUnlessAllowed() async throws {
        _ = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        let (refused, _) = await reconciler.sync(revision("eeeeeee", []), options: SyncOptions())
        #expect(refused.result == .failed)
        #expect(refused.errors.first?.contains("--allow-empty") == true)
        _ = try await live("Deployment", "web")
        let (allowed, _) = await reconciler.sync(revision("eeeeeee", []), options: SyncOptions(allowEmpty: true))
        #expect(allowed.deleted == 5)
    }

    @Test func objectsItDoesNotManageAreConflictsNotTakenOver() async throws {
        _ = try await store.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]])
        let (record, _) = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        #expect(record.result == .failed)
        #expect(record.errors.first?.contains("Namespace/shop exists and is not managed by gitopsd") == true)
        // Nothing else was created either.
        await #expect(throws: StoreError.self) { try await live("ConfigMap", "settings") }

        let other = try await store.create([
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "mine", "labels": ["app.kubernetes.io/managed-by": "gitopsd", "gitopsd.io/source": "other"]],
        ])
        _ = other
        let claim = [ManifestFile(path: "cm.yaml", bytes: Array("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine}\n".utf8))]
        let (claimed, _) = await reconciler.sync(revision("fffffff", claim), options: SyncOptions())
        #expect(claimed.errors.first?.contains("managed by source \"other\"") == true)
    }

    @Test func aFailureInTheMiddleOfAPlanAppliesNothing() async throws {
        _ = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        let before = try await store.list(ObjectFilter())
        // Three changes: an update, a create that the store accepts, and a create in a namespace nobody declared
        // (the store refuses it), ordered create-after-update by kind.
        let extra = """
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: more, namespace: shop}
            data: {a: b}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: stray, namespace: nowhere}
            data: {a: b}
            """
        let plan = try await reconciler.plan(revision("bbbbbbb", Self.app(replicas: 3, extra: extra)), options: SyncOptions())
        #expect(plan.plan.changes.count == 3)
        await #expect(throws: ReconcileError.self) { try await reconciler.apply(plan) }
        let after = try await store.list(ObjectFilter())
        #expect(after.revision == before.revision)
        #expect(after.items == before.items)
    }

    @Test func aManagedObjectChangedSincePlanningFailsTheWholeCommit() async throws {
        _ = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        let plan = try await reconciler.plan(
            revision("bbbbbbb", Self.app(image: "web:2", extra: "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: more, namespace: shop}\n")),
            options: SyncOptions())
        #expect(Set(plan.plan.changes.map(\.action)) == [.create, .update])
        // Someone edits the Deployment between the plan and its commit.
        var deployment = try await live("Deployment", "web")
        deployment[path: ["spec", "replicas"]] = 7
        _ = try await store.update(deployment)
        await #expect(throws: ReconcileError.self) { try await reconciler.apply(plan) }
        #expect(try await live("Deployment", "web")[path: ["spec", "replicas"]] == 7)
        await #expect(throws: StoreError.self) { try await live("ConfigMap", "more") }
        // Planned again from the new state, the commit goes through.
        let again = try await reconciler.plan(
            revision("bbbbbbb", Self.app(image: "web:2", extra: "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: more, namespace: shop}\n")),
            options: SyncOptions())
        try await reconciler.apply(again)
        #expect(try await live("Deployment", "web")[path: ["spec", "replicas"]] == 2)
        #expect(try await live("ConfigMap", "more")[path: ["metadata", "name"]] == "more")
    }

    @Test func driftIsDetectedAndHealed() async throws {
        _ = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        var deployment = try await live("Deployment", "web")
        deployment[path: ["spec", "replicas"]] = 5
        _ = try await store.update(deployment)
        let plan = try await reconciler.plan(revision("aaaaaaa", Self.app()), options: SyncOptions())
        #expect(plan.plan.changes.map(\.action) == [.update])
        #expect(plan.diff().contains("-  replicas: 5"))
        try await reconciler.apply(plan)
        #expect(try await live("Deployment", "web")[path: ["spec", "replicas"]] == 2)
        // Controller-written annotations survive the heal.
        #expect(try await reconciler.plan(revision("aaaaaaa", Self.app()), options: SyncOptions()).isInSync)
    }

    @Test func diffsNeverShowSecretValues() async throws {
        _ = await reconciler.sync(revision("aaaaaaa", Self.app()), options: SyncOptions())
        let changed = Self.app().map { file in
            ManifestFile(path: file.path, bytes: Array(String(decoding: file.bytes, as: UTF8.self).replacingOccurrences(of: "swordfish-1", with: "swordfish-2").utf8))
        }
        let plan = try await reconciler.plan(revision("bbbbbbb", changed), options: SyncOptions())
        let diff = plan.diff()
        #expect(plan.plan.changes.map(\.key.kind) == ["Secret"])
        #expect(diff.contains("******** (new)"))
        for secret in ["swordfish", "c3dvcmRmaXNo"] { #expect(!diff.contains(secret)) }
    }
}
