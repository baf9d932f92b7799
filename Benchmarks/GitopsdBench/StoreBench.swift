import API
import ArgumentParser
import Foundation
import Orchestrator

/// `gitopsd-bench store`: sustained object updates per second through `SQLiteObjectStore` with 0, 1 and 10
/// watchers attached, and the latency from issuing a write to a watcher receiving its event. Prints one
/// JSON line per configuration; `bench/store.sh` turns them into a Markdown table beside etcd's figures.
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Object store: updates/s and write-to-watch latency.")

    @Option(help: "Updates per configuration.") var updates = 20_000
    @Option(help: "Distinct objects updated round-robin.") var objects = 100
    @Option(help: "Concurrent writers (each waits for its write before the next).") var writers = 16
    @Option(help: "Approximate JSON size of each object in bytes.") var size = 1_500
    @Option(help: "Watcher counts to measure, comma-separated.") var watchers = "0,1,10"
    @Option(help: "Data directory (default: a temporary one).") var dataDir: String?

    func run() async throws {
        for count in watchers.split(separator: ",").compactMap({ Int($0) }) {
            let directory =
                dataDir
                ?? FileManager.default.temporaryDirectory
                .appendingPathComponent("gitopsd-store-bench-\(UUID().uuidString)").path
            defer { if dataDir == nil { try? FileManager.default.removeItem(atPath: directory) } }
            let result = try await measure(directory: directory, watcherCount: count)
            print(result)
        }
    }

    private func measure(directory: String, watcherCount: Int) async throws -> String {
        var configuration = SQLiteObjectStore.Configuration()
        configuration.watchBufferSize = max(100_000, updates)
        let store = try SQLiteObjectStore(dataDirectory: directory, configuration: configuration)
        for index in 0..<objects {
            _ = try await store.create(Self.object(index: index, sequence: 0, size: size, sentAt: 0))
        }
        let start = try await store.currentRevision()
        let streams = try await (0..<watcherCount).asyncMap { _ in
            try await store.watch(ObjectFilter(kind: "ConfigMap"), from: start)
        }
        let updates = self.updates
        let writers = self.writers
        let objects = self.objects
        let size = self.size
        let clock = ContinuousClock()
        let began = clock.now
        async let latencies: [[Int64]] = withThrowingTaskGroup(of: [Int64].self) { group in
            for stream in streams {
                group.addTask {
                    var samples: [Int64] = []
                    samples.reserveCapacity(updates)
                    for try await event in stream {
                        let sent = event.object[path: ["data", "sentAt"]]?.stringValue.flatMap { Int64($0) } ?? 0
                        samples.append(Self.monotonicNanoseconds() - sent)
                        if samples.count == updates { break }
                    }
                    return samples
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var sequence = writer
                    while sequence < updates {
                        let object = Self.object(
                            index: sequence % objects, sequence: sequence + 1, size: size,
                            sentAt: Self.monotonicNanoseconds())
                        _ = try await store.update(object)
                        sequence += writers
                    }
                }
            }
            try await group.waitForAll()
        }
        let writeSeconds = (clock.now - began).seconds
        let samples = try await latencies.flatMap { $0 }.sorted()
        func percentile(_ p: Double) -> Double {
            guard !samples.isEmpty else { return 0 }
            return Double(samples[min(samples.count - 1, Int(Double(samples.count) * p))]) / 1e6
        }
        store.close()
        return String(
            format:
                #"{"system":"gitopsd","watchers":%d,"writers":%d,"updates":%d,"size":%d,"updates_per_s":%.0f,"p50_ms":%.3f,"p99_ms":%.3f}"#,
            watcherCount, writers, updates, Self.object(index: 0, sequence: 0, size: size, sentAt: 0).jsonBytes.count,
            Double(updates) / writeSeconds, percentile(0.5), percentile(0.99))
    }

    /// A ConfigMap of about `size` bytes of JSON, with labels and annotations like a managed object's.
    static func object(index: Int, sequence: Int, size: Int, sentAt: Int64) -> Value {
        var data: [String: String] = ["sequence": String(sequence), "sentAt": String(sentAt)]
        let line = String(repeating: "x", count: 60)
        var entry = 0
        while data.count * 78 < size - 200 {
            data["key-\(entry)"] = "\(line)-\(entry)"
            entry += 1
        }
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string("bench-\(index)"), "namespace": "default",
                "labels": ["app.kubernetes.io/managed-by": "gitopsd", "app": "bench"],
                "annotations": ["gitopsd.io/commit": "0123456789abcdef0123456789abcdef01234567"],
            ],
            "data": Value(data),
        ]
    }

    static func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}

/// `gitopsd-bench store-writer --data-dir D`: a second process for the store's multi-process and crash tests.
/// Creates ConfigMaps `w<writer>-<n>` from several tasks and prints `NAME REVISION` once each write is
/// acknowledged (durable), flushing every line.
struct StoreWriter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-writer", abstract: "Test helper: writes objects and prints acknowledged revisions.",
        shouldDisplay: false)

    @Option(help: "The data directory to write to.") var dataDir: String
    @Option(help: "Stop after this many writes per writer (default: never).") var count: Int?
    @Option(help: "Concurrent writers.") var writers = 4
    @Option(help: "Namespace to write into (created when missing).") var namespace = "default"

    func run() async throws {
        let store = try SQLiteObjectStore(dataDirectory: dataDir)
        if namespace != "default" {
            _ = try? await store.create([
                "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)],
            ])
        }
        let output = Locked()
        let limit = count ?? Int.max
        let namespace = self.namespace
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var index = 0
                    while index < limit {
                        let name = "w\(writer)-\(index)"
                        let result = try await store.create(
                            [
                                "apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": ["name": .string(name), "namespace": .string(namespace)],
                                "data": ["index": .string(String(index))],
                            ])
                        output.write("\(name) \(result.revision.value)\n")
                        index += 1
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Serialises lines on stdout so each is written whole, then flushed.
    final class Locked: @unchecked Sendable {
        private let lock = NSLock()
        func write(_ line: String) {
            lock.lock()
            defer { lock.unlock() }
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
