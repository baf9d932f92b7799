public import Foundation

/// A person and the moment they authored or committed a change.
public struct GitSignature: Sendable, Hashable, Codable {
    /// The name as recorded in the commit.
    public var name: String
    /// The e-mail address as recorded in the commit.
    public var email: String
    /// When it happened.
    public var time: Date
    /// The recorded time zone, in minutes east of UTC.
    public var timeZoneOffsetMinutes: Int

    /// Creates a signature.
    public init(name: String, email: String, time: Date, timeZoneOffsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.timeZoneOffsetMinutes = timeZoneOffsetMinutes
    }
}

/// The metadata of one commit, copied out of libgit2 so it can travel between tasks.
public struct Commit: Sendable, Hashable, Codable {
    /// The full id.
    public var id: CommitID
    /// The parents' ids, first parent first.
    public var parents: [CommitID]
    /// Who wrote the change.
    public var author: GitSignature
    /// Who committed it.
    public var committer: GitSignature
    /// The first paragraph of the message, on one line (`git log --format=%s`).
    public var subject: String
    /// The rest of the message after the first blank line, without trailing newlines.
    public var body: String

    /// Creates commit metadata.
    public init(
        id: CommitID, parents: [CommitID], author: GitSignature, committer: GitSignature, subject: String,
        body: String
    ) {
        self.id = id
        self.parents = parents
        self.author = author
        self.committer = committer
        self.subject = subject
        self.body = body
    }

    /// The abbreviated id (seven digits).
    public var shortID: String { id.short }

    /// The commit time, which orders history.
    public var time: Date { committer.time }

    /// Splits a raw commit message the way git does for `%s` and `%b`.
    static func split(message: String) -> (subject: String, body: String) {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        var index = lines.startIndex
        while index < lines.endIndex, lines[index].allSatisfy(\.isWhitespace) { index += 1 }
        var subjectLines: [Substring] = []
        while index < lines.endIndex, !lines[index].allSatisfy(\.isWhitespace) {
            subjectLines.append(lines[index].drop(while: \.isWhitespace))
            index += 1
        }
        while index < lines.endIndex, lines[index].allSatisfy(\.isWhitespace) { index += 1 }
        var bodyLines = Array(lines[index...])
        while let last = bodyLines.last, last.allSatisfy(\.isWhitespace) { bodyLines.removeLast() }
        return (subjectLines.joined(separator: " "), bodyLines.joined(separator: "\n"))
    }
}
