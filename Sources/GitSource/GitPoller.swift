public import Logging

/// Watches a source and reports each commit its reference moves to.
///
/// Iterate it (`for await update in poller`) to poll: the first poll happens at once, then every `interval`
/// (with jitter so that many sources do not poll in lockstep), or sooner when `trigger()` is called (a webhook).
/// Failures (network down, repository missing) are logged and retried with exponential back-off; they never
/// end the sequence. The sequence ends when the iterating task is cancelled.
///
/// One consumer at a time: iterations share the poller's memory of the last commit seen.
public actor GitPoller: AsyncSequence {
    public typealias Element = SourceUpdate

    /// How often and how patiently to poll.
    public struct Configuration: Sendable, Hashable {
        /// The time between polls while they succeed.
        public var interval: Duration
        /// The fraction of `interval` by which each wait is randomly lengthened or shortened (0 for none).
        public var jitter: Double
        /// The longest wait after repeated failures; back-off doubles from `interval` up to this.
        public var maximumBackoff: Duration

        /// Creates a configuration. Defaults: 10% jitter, back-off up to 5 minutes.
        public init(interval: Duration, jitter: Double = 0.1, maximumBackoff: Duration = .seconds(300)) {
            self.interval = interval
            self.jitter = jitter
            self.maximumBackoff = maximumBackoff
        }

        /// The defaults for a source: 10 s for remote repositories, 2 s for local ones.
        public static func defaults(for source: GitSource) -> Configuration {
            Configuration(interval: source.defaultPollInterval)
        }
    }

    /// The source being watched.
    public nonisolated let source: GitSource
    /// The polling policy.
    public nonisolated let configuration: Configuration
    private let logger: Logger
    private var lastSeen: CommitID?
    /// The last commit reported (or given as `lastSeen`), if any.
    public var lastSeenCommit: CommitID? { lastSeen }
    /// How many polls in a row have failed; 0 after a success.
    public private(set) var consecutiveFailures = 0
    /// The most recent failure, cleared by the next success.
    public private(set) var lastError: GitSourceError?

    /// How many polls have been made (each one resolves the reference, fetching first for a remote).
    public private(set) var pollCount = 0

    /// Wakes the wait between polls. Only the newest trigger matters: ten webhooks during one fetch need one
    /// more fetch, not ten.
    private nonisolated let triggers = TriggerSignal()

    /// Creates a poller.
    ///
    /// - Parameters:
    ///   - source: the source to watch.
    ///   - configuration: the interval and back-off; nil uses `Configuration.defaults(for:)`.
    ///   - lastSeen: a commit already handled (say, from sync history); it is not reported again.
    ///   - logger: where polls and failures are logged (info level and below).
    public init(source: GitSource, configuration: Configuration? = nil, lastSeen: CommitID? = nil, logger: Logger) {
        self.source = source
        self.configuration = configuration ?? .defaults(for: source)
        self.lastSeen = lastSeen
        self.logger = logger
    }

    /// Asks for a poll now instead of at the end of the current wait (or back-off). Safe from any thread.
    public nonisolated func trigger() {
        triggers.fire()
    }

    /// Polls until the reference points at a commit not reported before, and returns it; nil when cancelled.
    public func next() async -> SourceUpdate? {
        while !Task.isCancelled {
            if let update = await poll() {
                return update
            }
            await wait(delay())
        }
        return nil
    }

    /// One poll: fetch and resolve; nil when nothing changed or the poll failed.
    private func poll() async -> SourceUpdate? {
        pollCount += 1
        do {
            let commit = try await source.resolve()
            if consecutiveFailures > 0 {
                logger.info("source reachable again", metadata: ["git.failures": "\(consecutiveFailures)"])
            }
            consecutiveFailures = 0
            lastError = nil
            guard commit.id != lastSeen else { return nil }
            let previous = lastSeen
            var kind = SourceUpdate.Kind.initial
            if let previous {
                let fastForward = (try? await source.isAncestor(previous, of: commit.id)) ?? false
                kind = fastForward ? .fastForward : .rewritten
                if !fastForward {
                    logger.info(
                        "history rewritten: the new commit does not descend from the previous one (force-push?)",
                        metadata: ["git.commit": "\(commit.id)", "git.previous": "\(previous)"])
                }
            }
            lastSeen = commit.id
            logger.info("new commit", metadata: ["git.commit": "\(commit.id)", "git.subject": "\(commit.subject)"])
            return SourceUpdate(commit: commit, previous: previous, kind: kind)
        } catch {
            consecutiveFailures += 1
            lastError = error
            logger.info(
                "poll failed", metadata: ["git.error": "\(error)", "git.failures": "\(consecutiveFailures)"])
            return nil
        }
    }

    /// The wait before the next poll: the interval with jitter, or exponential back-off after failures.
    private func delay() -> Duration {
        let base: Duration
        if consecutiveFailures > 0 {
            let factor = 1 << Swift.min(consecutiveFailures - 1, 20)
            base = Swift.min(configuration.interval * factor, configuration.maximumBackoff)
        } else {
            base = configuration.interval
        }
        guard configuration.jitter > 0 else { return base }
        let spread = Swift.min(configuration.jitter, 1)
        return base * Double.random(in: (1 - spread)...(1 + spread))
    }

    /// Sleeps for `duration` or until `trigger()` is called, whichever comes first.
    /// (Not an `AsyncStream` raced against the sleep: cancelling the task that waits on one finishes the stream,
    /// so after the first wait that timed out every later wait returned at once and the poller spun.)
    private func wait(_ duration: Duration) async {
        await triggers.wait(timeout: duration)
    }

    public nonisolated func makeAsyncIterator() -> Iterator {
        Iterator(poller: self)
    }

    /// Iterates a poller's updates.
    public struct Iterator: AsyncIteratorProtocol {
        let poller: GitPoller

        public mutating func next() async -> SourceUpdate? {
            await poller.next()
        }
    }
}

/// A commit a poller noticed.
public struct SourceUpdate: Sendable, Hashable {
    /// How the reference moved.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The first commit this poller saw.
        case initial
        /// The new commit descends from the previous one: an ordinary push.
        case fastForward
        /// The previous commit is not in the new commit's history: a force-push rewound or rewrote the branch.
        case rewritten
    }

    /// The commit the reference now points to.
    public var commit: Commit
    /// The commit reported before, if any.
    public var previous: CommitID?
    /// How the reference moved.
    public var kind: Kind
}
