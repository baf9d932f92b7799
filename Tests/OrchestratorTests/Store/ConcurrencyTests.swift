import API
import Foundation
import Orchestrator
import Testing

@Suite struct ConcurrencyTests {
    /// Many writers race to increment one counter with optimistic concurrency: per version exactly one
    /// wins, the others retry, and no increment is lost.
    @Test func concurrentWritersWithExpectedVersions() async throws {
        let store = try makeStore()
        let key = ObjectKey(kind: "ConfigMap", namespace: "default", name: "counter")
        let start = try await store.create(configMap("counter", data: ["n": "0"]))
        let watch = try await store.watch(ObjectFilter(kind: "ConfigMap"), from: start.revision)
        let watchers = try await (0..<3).asyncMap { _ in try await store.watch(.all, from: start.revision) }
        let writers = 8
        let incrementsPerWriter = 25
        let conflicts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    var conflicts = 0
                    var done = 0
                    while done < incrementsPerWriter {
                        var current = try await store.get(key)
                        let value = Int(current[path: ["data", "n"]]?.stringValue ?? "") ?? -1
                        current["data"] = ["n": .string(String(value + 1))]
                        do {
                            _ = try await store.update(current)
                            done += 1
                        } catch let error as StoreError where error.code == .conflict {
                            conflicts += 1
                        }
                    }
                    return conflicts
                }
            }
            return try await group.reduce(0, +)
        }
        let final = try await store.get(key)
        let total = writers * incrementsPerWriter
        #expect(final[path: ["data", "n"]] == .string(String(total)))
        #expect(final.resourceVersion == String(start.revision.value + Int64(total)))
        #expect(conflicts >= 0)
        // Every watcher sees every increment once, in revision order, each value exactly once.
        for stream in [watch] + watchers {
            let events = try await take(total, from: stream)
            #expect(
                events.map(\.revision.value)
                    == Array((start.revision.value + 1)...(start.revision.value + Int64(total))))
            #expect(events.map { $0.object[path: ["data", "n"]]?.stringValue ?? "" } == (1...total).map(String.init))
        }
    }

    /// Independent objects written from many tasks at once (group commit): all acknowledged writes are
    /// stored, revisions are unique and dense.
    @Test func groupCommitKeepsEveryWrite() async throws {
        let store = try makeStore()
        let stream = try await store.watch(.all, from: Revision(1))
        let revisions = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<200 {
                group.addTask { try await store.create(configMap("c\(index)")).revision.value }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(revisions.sorted() == Array(2...201))
        #expect(try await store.list(kind: "ConfigMap").items.count == 200)
        let events = try await take(200, from: stream)
        #expect(events.map(\.revision.value) == Array(2...201))
    }

    /// Two store instances on one file (as two processes would be): writes interleave without loss and
    /// each instance's watcher sees the other's writes.
    @Test func twoInstancesOnOneFile() async throws {
        let first = try makeStore()
        let second = try SQLiteObjectStore(
            dataDirectory: URL(fileURLWithPath: first.path).deletingLastPathComponent().path)
        let watchFirst = try await first.watch(.all, from: Revision(1))
        let watchSecond = try await second.watch(.all, from: Revision(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask { _ = try await store.create(configMap("c\(index)")) }
            }
            try await group.waitForAll()
        }
        for stream in [watchFirst, watchSecond] {
            let events = try await take(40, from: stream)
            #expect(events.map(\.revision.value) == Array(2...41))
        }
        #expect(try await second.list(kind: "ConfigMap").items.count == 40)
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
