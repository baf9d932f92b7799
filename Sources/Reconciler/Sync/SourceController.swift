public import API
public import Foundation
public import GitSource
public import Logging
import Metrics

/// The GitOps loop for one source: notice new commits, sync them, and keep syncing the current one so drift
/// is found and (with self-heal) put back.
///
/// Level-triggered: every pass compares the newest commit with the live objects; a missed notification only
/// delays a pass. Passes never overlap; requests during a pass are collapsed into one more pass.
public actor SourceController {
    public struct Configuration: Sendable {
        /// The source's name: the `gitopsd.io/source` label on everything it manages.
        public var name: String
        /// How often to poll the repository, and to re-check live state for drift.
        public var interval: Duration
        /// Delete managed objects the commit no longer declares.
        public var prune: Bool
        /// Put drifted objects back; when off, drift is only reported (OutOfSync).
        public var selfHeal: Bool
        /// Accept commits with no manifests.
        public var allowEmpty: Bool

        public init(name: String, interval: Duration, prune: Bool = true, selfHeal: Bool = true, allowEmpty: Bool = false) {
            self.name = name
            self.interval = interval
            self.prune = prune
            self.selfHeal = selfHeal
            self.allowEmpty = allowEmpty
        }
    }

    public nonisolated let configuration: Configuration
    public nonisolated let source: GitSource
    private let reconciler: Reconciler
    private let history: SyncHistory
    private let logger: Logger
    private let poller: GitPoller

    private var latest: Commit?
    private var lastRecordedCommit: String?
    private var lastRecordedResult: SyncRecord.Result?
    /// The errors of the last record, so a failure already in the history (before a restart) is not added again.
    private var lastRecordedErrors: [String] = []
    private var running = false
    /// The commit the `gitopsd_last_applied_commit` metric names.
    private var publishedCommit: String?
    private var pending = false
    public private(set) var status: SourceStatus

    public init(
        source: GitSource, reconciler: Reconciler, history: SyncHistory, configuration: Configuration, logger: Logger
    ) {
        self.source = source
        self.reconciler = reconciler
        self.history = history
        self.configuration = configuration
        self.logger = logger
        self.poller = GitPoller(
            source: source, configuration: GitPoller.Configuration(interval: configuration.interval), logger: logger)
        self.status = SourceStatus(
            source: configuration.name, repository: source.configuration.repository, path: source.configuration.path)
        // Resume from history: a restart does not re-record a commit that was already applied.
        if let last = try? history.records(source: configuration.name, count: 1).first {
            lastRecordedCommit = last.commit
            lastRecordedResult = last.result
            lastRecordedErrors = last.errors
            if last.result != .failed { status.lastAppliedCommit = last.commit }
        }
    }

    /// Fetch now instead of at the end of the current wait (webhooks call this).
    public nonisolated func trigger() {
        poller.trigger()
    }

    /// Runs the loop until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followCommits() }
            group.addTask { await self.resyncPeriodically() }
            await group.waitForAll()
        }
    }

    private func followCommits() async {
        for await update in poller {
            if update.kind == .rewritten {
                logger.warning(
                    "branch was rewritten (force-push): \(update.previous?.short ?? "?") is not an ancestor of \(update.commit.shortID)",
                    metadata: ["source": "\(configuration.name)", "git.commit": "\(update.commit.id)"])
            }
            latest = update.commit
            status.lastFetchedCommit = update.commit.id.description
            await reconcile()
        }
    }

    private func resyncPeriodically() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.interval)
            // Stopping (SIGTERM) cancels the sleep: no pass now, which would fail half-way and be recorded.
            if Task.isCancelled { return }
            if latest != nil { await reconcile() }
        }
    }

    /// Runs one pass now (or right after the current one).
    public func reconcile() async {
        pending = true
        guard !running else { return }
        running = true
        defer { running = false }
        while pending {
            pending = false
            if let commit = latest { await sync(commit) }
        }
    }

    private func sync(_ commit: Commit) async {
        let started = ContinuousClock.now
        let revision: SourceRevision
        do {
            let files = try await source.files(at: commit.id)
            revision = SourceRevision(
                source: configuration.name, commit: commit.id.description, subject: commit.subject,
                author: "\(commit.author.name) <\(commit.author.email)>", time: commit.time,
                files: files.map { ManifestFile(path: $0.path, bytes: $0.contents) })
        } catch {
            // Refused while reading (a file over the size limit, a symlink leaving the path, a submodule, a tree
            // git refuses): the commit fails like an invalid manifest, recorded and logged once.
            let message = "cannot read commit \(commit.shortID): \(error)"
            let record = SyncRecord(
                source: configuration.name, commit: commit.id.description, subject: commit.subject,
                author: "\(commit.author.name) <\(commit.author.email)>", startedAt: Date(), finishedAt: Date(),
                result: .failed, errors: [message])
            fail(commit: commit.id.description, message: message, record: record)
            return
        }
        let options = SyncOptions(prune: configuration.prune, dryRun: false, allowEmpty: configuration.allowEmpty)
        let plan: SyncPlan
        do {
            plan = try await reconciler.plan(revision, options: options)
        } catch {
            let record = SyncRecord(
                source: configuration.name, commit: revision.commit, subject: revision.subject, author: revision.author,
                startedAt: Date(), finishedAt: Date(), result: .failed,
                errors: [error.message] + error.problems.map(\.description))
            fail(commit: revision.commit, message: error.description, record: record)
            return
        }
        let isNewCommit = revision.commit != status.lastAppliedCommit
        var result: SyncRecord.Result = .inSync
        if !plan.isInSync {
            if !isNewCommit && !configuration.selfHeal {
                status.sync = .outOfSync
                logger.info("drift detected; self-heal is off", metadata: ["source": "\(configuration.name)"])
                await refreshHealth(plan)
                return
            }
            do {
                try await reconciler.apply(plan)
                result = .applied
            } catch {
                let record = SyncRecord(
                    source: configuration.name, commit: revision.commit, subject: revision.subject,
                    author: revision.author, startedAt: Date(), finishedAt: Date(), result: .failed,
                    errors: [error.message])
                fail(commit: revision.commit, message: error.description, record: record)
                return
            }
        }
        let elapsed = ContinuousClock.now - started
        if publishedCommit != revision.commit { publishAppliedCommit(revision.commit) }
        status.sync = .synced
        status.lastError = nil
        status.lastAppliedCommit = revision.commit
        status.lastSyncTime = Date()
        if result == .applied || isNewCommit || lastRecordedResult == .failed {
            let record = SyncRecord(
                source: configuration.name, commit: revision.commit, subject: revision.subject,
                author: revision.author, startedAt: Date() - elapsed.timeInterval, finishedAt: Date(), result: result,
                created: plan.plan.count(.create), updated: plan.plan.count(.update),
                deleted: plan.plan.count(.delete))
            self.record(record)
            logger.info(
                "sync \(result.rawValue): \(revision.commit.prefix(7)) \(revision.subject) (created \(record.created), updated \(record.updated), deleted \(record.deleted))",
                metadata: ["source": "\(configuration.name)", "git.commit": "\(revision.commit)"])
        }
        Counter(label: "gitopsd_sync_total", dimensions: [("source", configuration.name), ("result", result.rawValue)])
            .increment()
        Metrics.Timer(label: "gitopsd_sync_duration_seconds", dimensions: [("source", configuration.name)])
            .recordNanoseconds(Int64(elapsed.timeInterval * 1e9))
        await refreshHealth(plan)
    }

    /// Records a failure once per commit and message (the loop retries every interval; history shows it once).
    private func fail(commit: String, message: String, record: SyncRecord?) {
        // A pass cut short because the loop is stopping did not fail: nothing is recorded, the next start resumes.
        if Task.isCancelled {
            logger.debug("sync of \(commit.prefix(7)) interrupted by shutdown: \(message)")
            return
        }
        let repeated = status.lastError == message && lastRecordedCommit == commit
        status.sync = .failed
        status.lastError = message
        status.lastSyncTime = Date()
        Counter(label: "gitopsd_sync_total", dimensions: [("source", configuration.name), ("result", "Failed")])
            .increment()
        guard !repeated else { return }
        logger.error(
            "sync failed for \(commit.prefix(7)); the last applied commit keeps running: \(message)",
            metadata: ["source": "\(configuration.name)", "git.commit": "\(commit)"])
        // After a restart the failure is logged again (once), but the history has it already.
        let recorded = lastRecordedCommit == commit && lastRecordedResult == .failed
            && lastRecordedErrors == record?.errors
        if let record, !recorded { self.record(record) }
    }

    /// `gitopsd_last_applied_commit{source, commit}`: 1 for the commit now applied, 0 for the one before.
    private func publishAppliedCommit(_ commit: String) {
        if let previous = publishedCommit {
            Gauge(label: "gitopsd_last_applied_commit", dimensions: [("source", configuration.name), ("commit", previous)])
                .record(0)
        }
        Gauge(label: "gitopsd_last_applied_commit", dimensions: [("source", configuration.name), ("commit", commit)])
            .record(1)
        publishedCommit = commit
    }

    private func record(_ record: SyncRecord) {
        do {
            try history.append(record)
            lastRecordedCommit = record.commit
            lastRecordedResult = record.result
            lastRecordedErrors = record.errors
        } catch {
            logger.error("cannot write sync history: \(error)")
        }
    }

    private func refreshHealth(_ plan: SyncPlan) async {
        var objects: [SourceStatus.Object] = []
        let outOfSync = Set(plan.plan.changes.map(\.key))
        for key in plan.desired.keys.sorted() {
            let health = (try? await reconciler.client.health(of: key)) ?? Health(.missing)
            objects.append(
                SourceStatus.Object(
                    kind: key.kind, namespace: key.namespace, name: key.name,
                    sync: outOfSync.contains(key) && status.sync != .synced ? .outOfSync : .synced, health: health))
        }
        status.objects = objects
        let worst = objects.map(\.health).max { $0.status < $1.status }
        status.health = worst.map { worst in
            worst.status == .healthy
                ? .healthy
                : Health(worst.status, objects.filter { $0.health.status == worst.status }.map { "\($0.kind)/\($0.name): \($0.health.message ?? worst.status.rawValue)" }.joined(separator: "; "))
        } ?? .healthy
        for state in [Health.Status.healthy, .progressing, .missing, .degraded] {
            Gauge(label: "gitopsd_objects", dimensions: [("source", configuration.name), ("health", state.rawValue)])
                .record(objects.filter { $0.health.status == state }.count)
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
