import API
import Foundation
import Orchestrator
import TestSupport
import Testing

@Suite struct WatchTests {
    @Test func eventsArriveInOrder() async throws {
        let store = try makeStore()
        let stream = try await store.watch(ObjectFilter(kind: "ConfigMap"), from: nil)
        var config = try await store.create(configMap("a")).object
        config["data"] = ["k": "2"]
        _ = try await store.update(config)
        _ = try await store.create(deployment("ignored"))
        _ = try await store.delete(ObjectKey(kind: "ConfigMap", namespace: "default", name: "a"))
        let events = try await take(3, from: stream)
        #expect(events.map(\.type) == [.added, .modified, .deleted])
        #expect(events.map(\.revision.value) == [2, 3, 5])
        #expect(events.map(\.object.resourceVersion) == ["2", "3", "5"])
    }

    @Test func listThenWatchHasNoGap() async throws {
        let store = try makeStore()
        for index in 0..<20 { _ = try await store.create(configMap("before-\(index)")) }
        // Writers keep going while we list and start watching.
        let writer = Task {
            for index in 0..<50 { _ = try await store.create(configMap("after-\(index)")) }
        }
        try await Task.sleep(for: .milliseconds(2))
        let list = try await store.list(kind: "ConfigMap")
        let stream = try await store.watch(ObjectFilter(kind: "ConfigMap"), from: list.revision)
        try await writer.value
        let total = try await store.list(kind: "ConfigMap")
        let missing = total.items.count - list.items.count
        let events = missing > 0 ? try await take(missing, from: stream) : []
        var names = Set(list.items.map(\.name))
        for event in events {
            #expect(event.type == .added)
            #expect(event.revision > list.revision)
            #expect(names.insert(event.object.name).inserted, "duplicate \(event.object.name)")
        }
        #expect(names == Set(total.items.map(\.name)))
    }

    @Test func watchReplaysFromAnOldRevision() async throws {
        let store = try makeStore()
        for index in 0..<600 { _ = try await store.create(configMap("c\(index)")) }
        let stream = try await store.watch(ObjectFilter(kind: "ConfigMap"), from: Revision(1))
        _ = try await store.create(configMap("live"))
        let events = try await take(601, from: stream)
        #expect(events.map(\.revision.value) == Array(2...602))
        #expect(events.last?.object.name == "live")
    }

    @Test func compactedRevisionExpires() async throws {
        let store = try makeStore()
        for index in 0..<10 { _ = try await store.create(configMap("c\(index)")) }
        try await store.compact(through: Revision(6))
        #expect(try await store.compactedRevision() == Revision(6))
        let expired = try await store.watch(.all, from: Revision(3))
        await #expect(throws: StoreError.self) {
            for try await _ in expired {}
        }
        let code = await storeErrorCode { for try await _ in try await store.watch(.all, from: Revision(5)) {} }
        #expect(code == .expired)
        // From the compacted revision itself: every later change, as after a list at that revision.
        let fine = try await store.watch(.all, from: Revision(6))
        #expect(try await take(5, from: fine).map(\.revision.value) == [7, 8, 9, 10, 11])
    }

    @Test func slowWatcherExpiresWithoutBlockingWriters() async throws {
        let store = try makeStore { $0.watchBufferSize = 50 }
        let slow = try await store.watch(.all, from: nil)
        let fast = try await store.watch(.all, from: nil)
        let progress = Counter()
        let reader = Task {
            var seen = 0
            for try await _ in fast {
                seen += 1
                await progress.set(seen)
                if seen == 300 { break }
            }
            return seen
        }
        // The slow watcher never reads: every write still completes. The fast one is given time to keep up
        // (its buffer is small too), so only the slow one falls behind.
        for index in 0..<300 {
            _ = try await store.create(configMap("c\(index)"))
            if index % 20 == 19 { await eventually { await progress.value >= index + 1 } }
        }
        #expect(try await reader.value == 300)
        var received = 0
        let code = await storeErrorCode { for try await _ in slow { received += 1 } }
        #expect(code == .expired)
        #expect(received == 50)
    }

    @Test func selectorWatchSeesObjectsEnterAndLeave() async throws {
        let store = try makeStore()
        let stream = try await store.watch(
            ObjectFilter(kind: "ConfigMap", selector: try LabelSelector(parsing: "app=web")), from: nil)
        var config = try await store.create(configMap("a", labels: ["app": "db"])).object
        config[path: ["metadata", "labels"]] = ["app": "web"]
        config = try await store.update(config).object
        config["data"] = ["k": "2"]
        config = try await store.update(config).object
        config[path: ["metadata", "labels"]] = ["app": "db"]
        config = try await store.update(config).object
        let events = try await take(3, from: stream)
        #expect(events.map(\.type) == [.added, .modified, .deleted])
        #expect(events.last?.object[path: ["metadata", "labels", "app"]] == "web")
        #expect(events.last?.object.resourceVersion == config.resourceVersion)
    }

    @Test func cancelEndsTheStream() async throws {
        let store = try makeStore()
        let stream = try await store.watch(.all, from: nil)
        let consumer = Task { () -> Int in
            var count = 0
            for try await _ in stream { count += 1 }
            return count
        }
        _ = try await store.create(configMap("a"))
        try await Task.sleep(for: .milliseconds(50))
        consumer.cancel()
        #expect(try await consumer.value == 1)
    }
}

/// A number shared between a watching task and the test.
private actor Counter {
    private(set) var value = 0
    func set(_ value: Int) { self.value = value }
}
