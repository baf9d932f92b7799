import Foundation
import GitSource
import TestSupport
import Testing

@Suite("GitPoller: noticing new commits", .timeLimit(.minutes(1)))
struct GitPollerTests {
    @Test("reports the first commit, then each new one, with how the branch moved")
    func reportsNewCommits() async throws {
        let repository = try TemporaryGitRepository()
        let c1 = try repository.commitFile("a.yaml", "v: 1\n")
        let poller = GitPoller(
            source: try makeSource(repository.path), configuration: .init(interval: .milliseconds(10)),
            logger: testLogger)
        var iterator = poller.makeAsyncIterator()
        let first = try #require(await iterator.next())
        #expect(first.commit.id.hex == c1)
        #expect(first.kind == .initial)

        let c2 = try repository.commitFile("a.yaml", "v: 2\n")
        let second = try #require(await iterator.next())
        #expect(second.commit.id.hex == c2)
        #expect(second.previous?.hex == c1)
        #expect(second.kind == .fastForward)

        try repository.git("reset", "-q", "--hard", c1)
        let c3 = try repository.commitFile("a.yaml", "v: 3\n")
        let third = try #require(await iterator.next())
        #expect(third.commit.id.hex == c3)
        #expect(third.kind == .rewritten)
    }

    @Test("polls at once when triggered, even with a long interval")
    func trigger() async throws {
        let served = try ServedRepository()
        let poller = GitPoller(
            source: try makeSource("file://" + served.bare), configuration: .init(interval: .seconds(3600), jitter: 0),
            logger: testLogger)
        var iterator = poller.makeAsyncIterator()
        _ = try #require(await iterator.next())
        let next = try served.work.commitFile("b.yaml", "b: 1\n")
        try served.work.git("push", "-q", served.bare, "main")
        poller.trigger()
        #expect(await iterator.next()?.commit.id.hex == next)
    }

    @Test("waits the interval between polls, also after a wait that timed out")
    func pollsAtTheInterval() async throws {
        let repository = try TemporaryGitRepository()
        try repository.commitFile("a.yaml", "a: 1\n")
        let poller = GitPoller(
            source: try makeSource(repository.path), configuration: .init(interval: .milliseconds(50), jitter: 0),
            logger: testLogger)
        let task = Task { () -> Int in
            var count = 0
            for await _ in poller { count += 1 }
            return count
        }
        // It keeps polling (a loaded machine may take a while for the first ones)...
        #expect(await eventually(timeout: .seconds(30)) { await poller.pollCount >= 2 })
        // ...at the interval: about 10 polls in 500 ms. A wait that ended the poller's trigger stream made every
        // later wait return at once: thousands of polls, a busy core.
        let before = await poller.pollCount
        try await Task.sleep(for: .milliseconds(500))
        let polls = await poller.pollCount - before
        task.cancel()
        #expect(await task.value == 1)
        #expect(polls <= 20)
    }

    @Test("keeps polling through failures and recovers")
    func recoversFromFailures() async throws {
        let directory = try scratchDirectory("later")
        let path = directory + "/repo"
        let poller = GitPoller(
            source: try makeSource(path),
            configuration: .init(interval: .milliseconds(5), maximumBackoff: .milliseconds(20)), logger: testLogger)
        let task = Task { () -> SourceUpdate? in
            var iterator = poller.makeAsyncIterator()
            return await iterator.next()
        }
        // Wait until the poller has failed at least twice: the repository does not exist yet.
        while await poller.consecutiveFailures < 2 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await poller.lastError?.code == .notFound)
        let repository = try TemporaryGitRepository()
        let head = try repository.commitFile("a.yaml", "a: 1\n")
        try FileManager.default.moveItem(atPath: repository.path, toPath: path)
        let update = await task.value
        #expect(update?.commit.id.hex == head)
        #expect(await poller.consecutiveFailures == 0)
    }

    @Test("ends the sequence when the consuming task is cancelled")
    func cancellation() async throws {
        let repository = try TemporaryGitRepository()
        try repository.commitFile("a.yaml", "a: 1\n")
        let poller = GitPoller(
            source: try makeSource(repository.path), configuration: .init(interval: .seconds(3600)),
            logger: testLogger)
        let task = Task { () -> Int in
            var count = 0
            for await _ in poller { count += 1 }
            return count
        }
        while await poller.consecutiveFailures == 0, await !hasSeenCommit(poller) {
            try await Task.sleep(for: .milliseconds(5))
        }
        task.cancel()
        #expect(await task.value == 1)
    }

    private func hasSeenCommit(_ poller: GitPoller) async -> Bool {
        await poller.lastSeenCommit != nil
    }
}
