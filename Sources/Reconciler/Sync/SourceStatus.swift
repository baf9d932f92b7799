public import Foundation

/// What one source looks like right now: served at `/gitops/v1/status` and by `gitopsd status`.
public struct SourceStatus: Sendable, Hashable, Codable {
    /// Argo CD's sync states.
    public enum Sync: String, Sendable, Hashable, Codable {
        case unknown = "Unknown"
        case synced = "Synced"
        case outOfSync = "OutOfSync"
        case failed = "Failed"
    }

    /// One object the source declares.
    public struct Object: Sendable, Hashable, Codable {
        public var kind: String
        public var namespace: String
        public var name: String
        public var sync: Sync
        public var health: Health
    }

    public var source: String
    public var repository: String
    public var path: String
    public var lastFetchedCommit: String?
    public var lastAppliedCommit: String?
    public var sync: Sync
    public var health: Health
    public var lastSyncTime: Date?
    /// Why the last sync failed, with manifest problems one per line; nil after a success.
    public var lastError: String?
    public var objects: [Object]

    public init(source: String, repository: String, path: String) {
        self.source = source
        self.repository = repository
        self.path = path
        self.sync = .unknown
        self.health = Health(.missing, "not synced yet")
        self.objects = []
    }
}
