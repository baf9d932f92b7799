import CGit2

/// Owns one anonymous `git_remote`; freed in `deinit`.
///
/// Anonymous on purpose: the URL (which may carry a token) is never written into the mirror's config.
final class Remote {
    let pointer: OpaquePointer
    let location: RepositoryLocation

    private init(pointer: OpaquePointer, location: RepositoryLocation) {
        self.pointer = pointer
        self.location = location
    }

    deinit {
        git_remote_free(pointer)
    }

    /// An in-memory remote for `url` attached to `repository`.
    static func anonymous(
        _ repository: Repository, url: String, location: RepositoryLocation
    ) throws(GitSourceError) -> Remote {
        var out: OpaquePointer?
        let result = git_remote_create_anonymous(&out, repository.pointer, url)
        try Libgit2.check(result, "git_remote_create_anonymous", doing: "invalid remote \(location)")
        guard let out else { throw GitSourceError(.failed, "no remote", call: "git_remote_create_anonymous") }
        return Remote(pointer: out, location: location)
    }

    /// Fetches `refspecs`, pruning references the remote no longer has. Blocks on the network: call it on a
    /// worker thread, never on the cooperative pool.
    func fetch(refspecs: [String], credentials: GitCredentials) throws(GitSourceError) {
        let context = RemoteCallbackContext(credentials: credentials, location: location)
        var options = git_fetch_options()
        try Libgit2.check(
            git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init",
            doing: "cannot prepare the fetch")
        context.install(into: &options.callbacks)
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        let result = try withExtendedLifetime(context) {
            () throws(GitSourceError) -> Int32 in
            try withStrArray(refspecs) { array in
                git_remote_fetch(pointer, array, &options, "gitopsd: fetch")
            }
        }
        if result < 0 {
            let error = Libgit2.error(result, call: "git_remote_fetch", doing: "cannot fetch \(location)")
            throw Remote.prefer(context.failure, over: error, doing: "cannot fetch \(location)")
        }
    }

    /// The remote's default branch (what its HEAD points to, as `refs/heads/NAME`), known after a fetch.
    func defaultBranch() -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_remote_default_branch(&buffer, pointer) == 0, let cName = buffer.ptr else {
            // No default branch is not an error: an empty remote, or a server that does not advertise HEAD.
            git_error_clear()
            return nil
        }
        return String(cString: cName)
    }

    /// Pushes `refspecs`; any reference the remote refuses makes the whole push fail.
    func push(refspecs: [String], credentials: GitCredentials) throws(GitSourceError) {
        let context = RemoteCallbackContext(credentials: credentials, location: location)
        var options = git_push_options()
        try Libgit2.check(
            git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "git_push_options_init",
            doing: "cannot prepare the push")
        context.install(into: &options.callbacks)
        let result = try withExtendedLifetime(context) {
            () throws(GitSourceError) -> Int32 in
            try withStrArray(refspecs) { array in
                git_remote_push(pointer, array, &options)
            }
        }
        if result < 0 {
            let error = Libgit2.error(result, call: "git_remote_push", doing: "cannot push to \(location)")
            throw Remote.prefer(context.failure, over: error, doing: "cannot push to \(location)")
        }
        if let (reference, status) = context.rejectedReferences.sorted(by: { $0.key < $1.key }).first {
            throw GitSourceError(
                .pushRejected, "\(location) rejected the push to \(reference): \(status)", call: "git_remote_push")
        }
    }

    /// A callback's own diagnosis explains more than the generic error libgit2 reports after it.
    private static func prefer(
        _ failure: GitSourceError?, over error: GitSourceError, doing what: String
    ) -> GitSourceError {
        guard var failure else { return error }
        failure.message = "\(what): \(failure.message)"
        failure.call = error.call
        failure.libgit2Code = error.libgit2Code
        failure.libgit2Message = nil
        return failure
    }
}
