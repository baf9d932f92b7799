/// How gitopsd proves who it is to a remote, and how it decides to trust an SSH server.
///
/// Never printed: `description`, `debugDescription` and reflection show which kinds of credential are set,
/// not their values.
public struct GitCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The user name for HTTP(S) basic authentication, or the SSH user when the URL names none.
    public var username: String?
    /// The password or access token for HTTP(S).
    public var password: String?
    /// The path of an SSH private key file.
    public var sshPrivateKeyPath: String?
    /// The path of the matching public key file; libssh2 derives it from the private key when nil.
    public var sshPublicKeyPath: String?
    /// The passphrase that decrypts the SSH private key, if it is encrypted.
    public var sshPassphrase: String?
    /// The known_hosts file SSH host keys are checked against; `~/.ssh/known_hosts` when nil.
    public var knownHostsPath: String?
    /// Accept any SSH host key. Only for tests and first contact on a trusted network: it allows
    /// man-in-the-middle attacks.
    public var insecureSkipHostKeyCheck: Bool

    /// Creates credentials; every field is optional.
    public init(
        username: String? = nil, password: String? = nil, sshPrivateKeyPath: String? = nil,
        sshPublicKeyPath: String? = nil, sshPassphrase: String? = nil, knownHostsPath: String? = nil,
        insecureSkipHostKeyCheck: Bool = false
    ) {
        self.username = username
        self.password = password
        self.sshPrivateKeyPath = sshPrivateKeyPath
        self.sshPublicKeyPath = sshPublicKeyPath
        self.sshPassphrase = sshPassphrase
        self.knownHostsPath = knownHostsPath
        self.insecureSkipHostKeyCheck = insecureSkipHostKeyCheck
    }

    /// Lists which credentials are present without revealing them.
    public var description: String {
        var parts: [String] = []
        if let username { parts.append("username=\(username)") }
        if password != nil { parts.append("password=<redacted>") }
        if let sshPrivateKeyPath { parts.append("ssh-key=\(sshPrivateKeyPath)") }
        if sshPassphrase != nil { parts.append("passphrase=<redacted>") }
        if let knownHostsPath { parts.append("known-hosts=\(knownHostsPath)") }
        if insecureSkipHostKeyCheck { parts.append("insecure-skip-host-key-check") }
        return "GitCredentials(\(parts.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
