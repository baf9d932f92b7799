public import API
public import Foundation

/// The manifests of one source at one commit: the reconciler's input.
public struct SourceRevision: Sendable, Hashable {
    /// The source's name, written to the `gitopsd.io/source` label of everything it manages.
    public var source: String
    /// The full commit id.
    public var commit: String
    /// The commit's subject line.
    public var subject: String
    /// The commit's author, `Name <email>`.
    public var author: String
    /// When the commit was made (committer time), if known.
    public var time: Date?
    /// The manifest files under the source's path at this commit.
    public var files: [ManifestFile]

    public init(
        source: String, commit: String, subject: String, author: String, time: Date? = nil, files: [ManifestFile]
    ) {
        self.source = source
        self.commit = commit
        self.subject = subject
        self.author = author
        self.time = time
        self.files = files
    }

    /// `abc1234 subject`: what `kubernetes.io/change-cause` says, so each ReplicaSet names its commit.
    public var changeCause: String {
        "\(commit.prefix(7)) \(subject)"
    }
}
