import CGit2

/// The state libgit2's network callbacks need, reached through the `payload` pointer.
///
/// The callbacks are plain C function pointers that capture nothing: everything they need (credentials, the
/// host key policy, what went wrong) is in this object, passed unretained as `payload` for the duration of one
/// synchronous libgit2 call, during which the caller keeps it alive.
final class RemoteCallbackContext {
    let credentials: GitCredentials
    let location: RepositoryLocation
    /// The first failure a callback detected; it explains more than libgit2's generic "callback error".
    var failure: GitSourceError?
    /// Push results the remote rejected, by reference name.
    var rejectedReferences: [String: String] = [:]
    private var offeredPassword = false
    private var offeredKey = false

    init(credentials: GitCredentials, location: RepositoryLocation) {
        self.credentials = credentials
        self.location = location
    }

    /// Fills the callback fields of `callbacks`; the context must outlive the libgit2 call that uses them.
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.credentials = remoteCredentialCallback
        callbacks.certificate_check = remoteCertificateCallback
        callbacks.push_update_reference = remotePushStatusCallback
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
    }

    /// Answers libgit2's request for credentials. A second request of the same kind means the remote
    /// rejected the first answer, so it fails instead of looping.
    func acquire(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, usernameFromURL: String?, allowed: UInt32
    ) -> Int32 {
        let username = usernameFromURL ?? credentials.username
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0, let privateKey = credentials.sshPrivateKeyPath {
            if offeredKey {
                return fail(.authenticationFailed, "the SSH server rejected the key \(privateKey)")
            }
            offeredKey = true
            let result = git_credential_ssh_key_new(
                out, username ?? "git", credentials.sshPublicKeyPath, privateKey, credentials.sshPassphrase)
            return result < 0 ? fail(.authenticationFailed, "cannot use the SSH key \(privateKey)") : 0
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let password = credentials.password {
            if offeredPassword {
                return fail(.authenticationFailed, "the remote rejected the credentials for user '\(username ?? "")'")
            }
            offeredPassword = true
            return git_credential_userpass_plaintext_new(out, username ?? "", password)
        }
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0, let username {
            return git_credential_username_new(out, username)
        }
        let wanted =
            allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 ? "an SSH key (--ssh-key)" : "a username and password or token"
        return fail(.authenticationFailed, "the remote requires authentication: give \(wanted)")
    }

    /// Decides whether to trust the server. TLS certificates keep libgit2's own verdict; SSH host keys are
    /// checked against the known_hosts file unless the user explicitly opted out.
    func checkCertificate(_ cert: UnsafeMutablePointer<git_cert>, host: String) -> Int32 {
        guard cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            return GIT_PASSTHROUGH.rawValue
        }
        if credentials.insecureSkipHostKeyCheck { return 0 }
        let hostkey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        guard hostkey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostkey.hostkey else {
            return fail(.hostKeyRejected, "the SSH server at \(host) did not present a host key that can be checked")
        }
        let key = [UInt8](UnsafeRawBufferPointer(start: raw, count: hostkey.hostkey_len))
        let port = location.hostAndPort?.port
        let file = credentials.knownHostsPath ?? KnownHosts.defaultPath
        switch KnownHosts.verify(host: host, port: port, key: key, file: file) {
        case .trusted:
            return 0
        case .unknown:
            return fail(
                .hostKeyRejected,
                "host key of \(KnownHosts.name(host: host, port: port)) is not in \(file); add it (ssh-keyscan) "
                    + "or pass --insecure-skip-host-key-check")
        case .mismatch:
            return fail(
                .hostKeyRejected,
                "host key of \(KnownHosts.name(host: host, port: port)) does not match \(file) "
                    + "(the key changed, or someone is intercepting the connection)")
        case .unreadable(let reason):
            return fail(.hostKeyRejected, "cannot read known_hosts file \(file): \(reason)")
        }
    }

    /// Records the remote's verdict on one pushed reference (nil status means accepted).
    func pushStatus(reference: String, status: String?) {
        if let status { rejectedReferences[reference] = status }
    }

    private func fail(_ code: GitSourceError.Code, _ message: String) -> Int32 {
        if failure == nil { failure = GitSourceError(code, message) }
        // Also tell libgit2, so its own error says the same thing.
        git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), message)
        return code == .hostKeyRejected ? GIT_ECERTIFICATE.rawValue : GIT_EAUTH.rawValue
    }

    static func from(_ payload: UnsafeMutableRawPointer) -> RemoteCallbackContext {
        Unmanaged<RemoteCallbackContext>.fromOpaque(payload).takeUnretainedValue()
    }
}

/// `git_credential_acquire_cb`: forwards to the context in `payload`.
private let remoteCredentialCallback: git_credential_acquire_cb = { out, _, usernameFromURL, allowed, payload in
    guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
    let username = usernameFromURL.map { String(cString: $0) }
    return RemoteCallbackContext.from(payload).acquire(out, usernameFromURL: username, allowed: allowed)
}

/// `git_transport_certificate_check_cb`: forwards to the context in `payload`.
private let remoteCertificateCallback: git_transport_certificate_check_cb = { cert, _, host, payload in
    guard let cert, let payload else { return GIT_PASSTHROUGH.rawValue }
    let hostName = host.map { String(cString: $0) } ?? ""
    return RemoteCallbackContext.from(payload).checkCertificate(cert, host: hostName)
}

/// `git_push_update_reference_cb`: records per-reference push results.
private let remotePushStatusCallback: git_push_update_reference_cb = { reference, status, payload in
    guard let payload else { return 0 }
    let name = reference.map { String(cString: $0) } ?? ""
    RemoteCallbackContext.from(payload).pushStatus(reference: name, status: status.map { String(cString: $0) })
    return 0
}
