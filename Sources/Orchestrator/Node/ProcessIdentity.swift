import Glibc

/// The user and group a container's processes run as.
///
/// A daemon running as root must not hand root to its pods: they could read the store (Secrets included) and
/// everything else. So pods run as `nobody`/`nogroup` then, with no supplementary groups; a daemon that is not
/// root cannot switch users, and its pods run as its own user.
public struct ProcessIdentity: Sendable, Hashable, Codable {
    /// The user id.
    public var uid: UInt32
    /// The group id (also the only supplementary group).
    public var gid: UInt32

    /// Creates an identity.
    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }

    /// `nobody` and its primary group (`nogroup` on Debian), or 65534/65534 when there is no such user.
    public static var unprivileged: ProcessIdentity {
        guard let entry = getpwnam("nobody") else { return ProcessIdentity(uid: 65534, gid: 65534) }
        return ProcessIdentity(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// What pods run as by default: `unprivileged` when gitopsd runs as root, nil (gitopsd's own user) otherwise.
    public static var podDefault: ProcessIdentity? {
        geteuid() == 0 ? unprivileged : nil
    }
}
