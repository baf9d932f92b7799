/// The full hexadecimal id of a git commit (40 lowercase hex digits for SHA-1 repositories).
///
/// A tiny wrapper so that a commit id cannot be mixed up with a branch name or a path.
public struct CommitID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The id as lowercase hexadecimal.
    public let hex: String

    /// Creates an id from 40 (SHA-1) or 64 (SHA-256) hexadecimal digits; returns nil for anything else.
    public init?(_ hex: String) {
        let lower = hex.lowercased()
        guard lower.count == 40 || lower.count == 64, lower.utf8.allSatisfy(CommitID.isHexDigit) else {
            return nil
        }
        self.hex = lower
    }

    /// Creates an id from text libgit2 produced; the text is trusted to be full lowercase hex.
    init(trusted hex: String) {
        self.hex = hex
    }

    /// The first seven digits, as `git log --oneline` shows them.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public static func < (lhs: CommitID, rhs: CommitID) -> Bool { lhs.hex < rhs.hex }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = CommitID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a commit id: \(text)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
