import API
import Foundation
import TestSupport
import Testing

@testable import Orchestrator

/// Collects informer events for assertions.
actor InformerEventLog {
    private(set) var entries: [String] = []
    func append(_ entry: String) { entries.append(entry) }
}

/// A gate a handler can wait on.
actor HandlerGate {
    private var open = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if open { return }
        await withCheckedContinuation { waiters.append($0) }
    }
    func release() {
        open = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

@Suite struct InformerTests {
    static func describe(_ event: InformerEvent<ConfigMap>) -> String {
        switch event {
        case .added(let o): "added \(o.metadata.name)"
        case .updated(_, let o): "updated \(o.metadata.name) \(o.data["k"] ?? "")"
        case .deleted(let o): "deleted \(o.metadata.name)"
        }
    }

    @Test func listsThenWatchesAndKeepsTheCache() async throws {
        let store = try makeStore()
        _ = try await store.create(configMap("before"))
        let informer = Informer<ConfigMap>(store: store)
        let log = InformerEventLog()
        informer.addHandler { event in await log.append(Self.describe(event)) }
        let task = Task { await informer.run() }
        defer { task.cancel() }
        await informer.waitUntilSynced()
        #expect(informer.get(ObjectKey(kind: "ConfigMap", namespace: "default", name: "before")) != nil)

        _ = try await store.create(configMap("after", labels: ["tier": "web"]))
        var changed = configMap("before", data: ["k": "v2"])
        changed[path: ["metadata", "resourceVersion"]] = nil
        _ = try await store.update(changed)
        let deleted = try await store.delete(ObjectKey(kind: "ConfigMap", namespace: "default", name: "before"))
        #expect(await informer.waitUntilObserved(deleted.revision))

        #expect(await log.entries == ["added before", "added after", "updated before v2", "deleted before"])
        #expect(informer.list().map(\.metadata.name) == ["after"])
        #expect(informer.list(selector: LabelSelector(matchLabels: ["tier": "web"])).count == 1)
        #expect(informer.list(namespace: "other").isEmpty)
        #expect(informer.revision >= deleted.revision)
    }

    /// A watcher that falls behind its buffer expires; the informer re-lists and reports what it missed,
    /// deletions included.
    @Test func relistsAfterExpiryAndReportsTheDifference() async throws {
        let store = try makeStore { $0.watchBufferSize = 4 }
        for name in ["a", "b"] { _ = try await store.create(configMap(name)) }
        let informer = Informer<ConfigMap>(store: store)
        let log = InformerEventLog()
        let gate = HandlerGate()
        informer.addHandler { event in
            await log.append(Self.describe(event))
            if case .added(let o) = event, o.metadata.name == "c" { await gate.wait() }
        }
        let task = Task { await informer.run() }
        defer { task.cancel() }
        await informer.waitUntilSynced()

        _ = try await store.create(configMap("c"))  // the handler blocks on this one
        #expect(await eventually { await log.entries.contains("added c") })
        _ = try await store.delete(ObjectKey(kind: "ConfigMap", namespace: "default", name: "a"))
        var last = Revision.zero
        for index in 0..<10 { last = try await store.create(configMap("n\(index)")).revision }
        await gate.release()

        #expect(await informer.waitUntilObserved(last, timeout: .seconds(10)))
        let names = Set(informer.list().map(\.metadata.name))
        #expect(names == Set(try await store.list(kind: "ConfigMap").items.map(\.name)))
        #expect(!names.contains("a"))
        #expect(await log.entries.contains("deleted a"))
        #expect(await log.entries.contains("added n9"))
    }

    @Test func waitingForARevisionTimesOutWhenNothingComes() async throws {
        let store = try makeStore()
        let informer = Informer<ConfigMap>(store: store)
        let task = Task { await informer.run() }
        defer { task.cancel() }
        await informer.waitUntilSynced()
        let far = Revision(informer.revision.value + 1000)
        #expect(await informer.waitUntilObserved(far, timeout: .milliseconds(100)) == false)
    }
}
