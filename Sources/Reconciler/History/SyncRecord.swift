public import Foundation

/// One sync attempt: which commit, when, what it did, and how it ended.
public struct SyncRecord: Sendable, Hashable, Codable {
    public enum Result: String, Sendable, Hashable, Codable {
        /// The commit was applied (objects created, updated or deleted).
        case applied = "Applied"
        /// Live state already matched the commit; nothing was written.
        case inSync = "InSync"
        /// The commit was refused (invalid manifests, conflicts) or applying it failed.
        case failed = "Failed"
    }

    public var source: String
    public var commit: String
    public var subject: String
    public var author: String
    public var startedAt: Date
    public var finishedAt: Date
    public var result: Result
    public var created: Int
    public var updated: Int
    public var deleted: Int
    /// What went wrong, one line each (file:line:col where known); never Secret values.
    public var errors: [String]

    public init(
        source: String, commit: String, subject: String, author: String, startedAt: Date, finishedAt: Date,
        result: Result, created: Int = 0, updated: Int = 0, deleted: Int = 0, errors: [String] = []
    ) {
        self.source = source
        self.commit = commit
        self.subject = subject
        self.author = author
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.result = result
        self.created = created
        self.updated = updated
        self.deleted = deleted
        self.errors = errors
    }
}
