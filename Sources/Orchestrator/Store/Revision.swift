/// A position in the store's global change log: every create, update and delete takes the next one.
///
/// Revisions are strictly increasing across all kinds, as etcd's are. `0` is the revision before the first
/// write; a watch from `0` replays the whole (uncompacted) history.
public struct Revision: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The revision number.
    public var value: Int64

    /// A revision with the given number.
    public init(_ value: Int64) {
        self.value = value
    }

    /// The revision before any write.
    public static let zero = Revision(0)

    public var description: String { String(value) }

    public static func < (lhs: Revision, rhs: Revision) -> Bool { lhs.value < rhs.value }

    /// The `metadata.resourceVersion` that names this revision.
    public var resourceVersion: ResourceVersion { ResourceVersion(String(value)) }
}

/// The opaque `metadata.resourceVersion` string of an object or a list.
///
/// Clients compare resource versions for equality only (Kubernetes rules); the store writes the decimal
/// revision of the object's last change, so `revision` recovers it.
public struct ResourceVersion: Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The string as found in `metadata.resourceVersion`.
    public var rawValue: String

    /// Wraps a resource version string.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    /// The revision this resource version names, when it is one the store wrote.
    public var revision: Revision? {
        Int64(rawValue).flatMap { $0 >= 0 ? Revision($0) : nil }
    }
}
