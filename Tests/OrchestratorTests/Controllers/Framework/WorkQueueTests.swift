import Synchronization
import Testing

@testable import Orchestrator

@Suite struct WorkQueueTests {
    @Test func collapsesRepeatedAddsIntoOneItem() async {
        let queue = WorkQueue<String>()
        await queue.add("a")
        await queue.add("b")
        await queue.add("a")
        #expect(await queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(await queue.depth == 0)
    }

    @Test func doesNotHandOutAKeyThatIsBeingProcessed() async {
        let queue = WorkQueue<String>()
        await queue.add("a")
        let first = await queue.next()
        #expect(first == "a")
        // Added again while processing: waits until done, then comes back exactly once.
        await queue.add("a")
        await queue.add("a")
        #expect(await queue.depth == 0)
        await queue.add("b")
        #expect(await queue.next() == "b")
        await queue.done("a")
        #expect(await queue.depth == 1)
        #expect(await queue.next() == "a")
        await queue.done("a")
        await queue.done("b")
        #expect(await queue.depth == 0)
    }

    @Test func wakesAWaitingWorker() async {
        let queue = WorkQueue<Int>()
        async let waiting = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        await queue.add(7)
        #expect(await waiting == 7)
    }

    @Test func backOffDoublesUpToTheMaximumAndForgetResetsIt() async {
        let queue = WorkQueue<String>(
            configuration: .init(baseDelay: .milliseconds(10), maximumDelay: .milliseconds(70)))
        let delays = await (0..<5).asyncMap { await queue.backoff(forFailures: $0) }
        #expect(delays == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(70), .milliseconds(70)])
        await queue.addRateLimited("x")
        await queue.addRateLimited("x")
        #expect(await queue.failureCount("x") == 2)
        await queue.forget("x")
        #expect(await queue.failureCount("x") == 0)
        // The delayed add arrives.
        #expect(await queue.next() == "x")
    }

    @Test func soonerDelayedAddWins() async {
        let queue = WorkQueue<String>()
        await queue.add("k", after: .seconds(3600))
        await queue.add("k", after: .milliseconds(10))
        #expect(await queue.next() == "k")
    }

    @Test func shutDownReleasesWaitingWorkers() async {
        let queue = WorkQueue<String>()
        async let waiting = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        await queue.shutDown()
        #expect(await waiting == nil)
        await queue.add("late")
        #expect(await queue.next() == nil)
    }
}

@Suite struct ControllerRunnerTests {
    /// Many workers and many adds of few keys: no key is ever reconciled by two workers at once, and every
    /// add that happened during a reconcile leads to another reconcile after it.
    @Test func neverReconcilesOneKeyConcurrentlyAndLosesNoChange() async {
        let queue = WorkQueue<Int>()
        let state = Mutex<(active: Set<Int>, overlaps: Int, seen: [Int: Int], lastAdd: [Int: Int])>(
            ([], 0, [:], [:]))
        let runner = ControllerRunner(name: "test", queue: queue, workers: 4) { key in
            let generation = state.withLock { state -> Int in
                if !state.active.insert(key).inserted { state.overlaps += 1 }
                return state.lastAdd[key, default: 0]
            }
            try? await Task.sleep(for: .microseconds(200))
            state.withLock { state in
                state.active.remove(key)
                state.seen[key] = max(state.seen[key, default: 0], generation)
            }
            return .done
        }
        let task = Task { await runner.run() }
        for round in 1...200 {
            let key = round % 5
            state.withLock { $0.lastAdd[key] = round }
            await queue.add(key)
            if round % 17 == 0 { try? await Task.sleep(for: .milliseconds(1)) }
        }
        // Every key must eventually be reconciled having seen its last add.
        for _ in 0..<500 {
            let caughtUp = state.withLock { state in state.lastAdd.allSatisfy { state.seen[$0.key] == $0.value } }
            if caughtUp { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        task.cancel()
        await task.value
        let final = state.withLock { $0 }
        #expect(final.overlaps == 0)
        #expect(final.lastAdd.allSatisfy { final.seen[$0.key] == $0.value })
    }

    @Test func retriesAFailingKeyWithBackOffUntilItSucceeds() async {
        struct Flaky: Error {}
        let queue = WorkQueue<String>(configuration: .init(baseDelay: .milliseconds(1), maximumDelay: .milliseconds(8)))
        let attempts = Mutex(0)
        let errors = Mutex(0)
        let runner = ControllerRunner(
            name: "flaky", queue: queue, workers: 1,
            reconcile: { _ in
                let attempt = attempts.withLock { value -> Int in
                    value += 1
                    return value
                }
                if attempt < 4 { throw Flaky() }
                return .done
            },
            onError: { _, _, _ in errors.withLock { $0 += 1 } })
        let task = Task { await runner.run() }
        await queue.add("x")
        for _ in 0..<500 where attempts.withLock({ $0 }) < 4 {
            try? await Task.sleep(for: .milliseconds(5))
        }
        try? await Task.sleep(for: .milliseconds(20))
        task.cancel()
        await task.value
        #expect(attempts.withLock { $0 } == 4)
        #expect(errors.withLock { $0 } == 3)
        #expect(await queue.failureCount("x") == 0)
    }
}

extension WorkQueueTests {
    @Test(arguments: [ReconcileFailure.Next.waitForChange, .stop])
    func aFailureThatSaysNotToRetryIsTriedAgainOnlyWhenTheKeyComesBack(next: ReconcileFailure.Next) async {
        let queue = WorkQueue<String>(configuration: .init(baseDelay: .milliseconds(1), maximumDelay: .milliseconds(1)))
        let attempts = Mutex(0)
        let told = Mutex<[ReconcileFailure.Next]>([])
        let runner = ControllerRunner(
            name: "classed", queue: queue, workers: 1,
            reconcile: { _ in
                attempts.withLock { $0 += 1 }
                throw ReconcileFailure(next, "the Secret it names does not exist")
            },
            onError: { _, _, next in told.withLock { $0.append(next) } })
        let task = Task { await runner.run() }
        await queue.add("x")
        for _ in 0..<1000 where told.withLock({ $0.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
        // With a 1 ms back-off, a retried key would have been tried dozens of times by now.
        try? await Task.sleep(for: .milliseconds(100))
        #expect(attempts.withLock { $0 } == 1)
        #expect(await queue.failureCount("x") == 0)
        await queue.add("x")
        for _ in 0..<500 where attempts.withLock({ $0 }) < 2 {
            try? await Task.sleep(for: .milliseconds(5))
        }
        task.cancel()
        await task.value
        #expect(attempts.withLock { $0 } == 2)
        #expect(told.withLock { $0 } == [next, next])
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async -> T) async -> [T] {
        var result: [T] = []
        for element in self { result.append(await transform(element)) }
        return result
    }
}
