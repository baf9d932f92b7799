/// Which commit of a repository a source follows.
///
/// A branch moves and is polled; a tag normally does not move (a moved tag is followed, since the mirror
/// force-fetches tags); a pinned commit never moves.
public enum GitReference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The tip of a branch, by short name (`main`, not `refs/heads/main`).
    case branch(String)
    /// The commit a tag points to, by short name (`v1.2.0`); annotated tags are peeled.
    case tag(String)
    /// One pinned commit.
    case commit(CommitID)

    /// The branch gitopsd follows when none is given; when the repository has no such branch, the remote's
    /// HEAD (its default branch) is followed instead.
    public static let defaultBranchName = "main"

    public var description: String {
        switch self {
        case .branch(let name): "branch \(name)"
        case .tag(let name): "tag \(name)"
        case .commit(let id): "commit \(id.hex)"
        }
    }

    /// The full reference name in the repository, or nil for a pinned commit.
    var fullName: String? {
        switch self {
        case .branch(let name): "refs/heads/\(name)"
        case .tag(let name): "refs/tags/\(name)"
        case .commit: nil
        }
    }
}
