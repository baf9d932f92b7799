import Foundation

/// What a source's worker queue owns: the open repository, kept between calls so that libgit2's object cache
/// and pack index stay warm across polls, and the pack reader for manifest blobs, kept for the same reason.
struct SourceState {
    var repository: Repository?
    /// Made on the first read of files; nil until then, or when the repository has no objects directory.
    var packs: PackReader?
}

/// The libgit2 work of one source, as plain functions of the configuration and the worker's state.
///
/// Runs only on the source's worker queue (see `GitWorker`).
struct SourceEngine: Sendable {
    let location: RepositoryLocation
    let mirrorPath: String?
    let reference: GitReference?
    let path: RepositoryPath
    let credentials: GitCredentials
    let maximumManifestSize: Int
    let include: [String]
    let exclude: [String]
    let committerName: String
    let committerEmail: String

    static let fetchRefspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    // MARK: Opening and fetching

    func repository(_ state: inout SourceState) throws(GitSourceError) -> Repository {
        if let repository = state.repository { return repository }
        let repository: Repository
        switch location {
        case .local(let path):
            do {
                repository = try Repository.open(path: path)
            } catch {
                throw error.code == .notFound
                    ? GitSourceError(.notFound, "no such repository: \(path)", call: error.call,
                        libgit2Message: error.libgit2Message, libgit2Code: error.libgit2Code)
                    : error
            }
        case .remote:
            guard let mirrorPath else { throw GitSourceError(.failed, "remote source without a mirror path") }
            if FileManager.default.fileExists(atPath: mirrorPath + "/HEAD") {
                repository = try Repository.open(path: mirrorPath)
            } else {
                repository = try Repository.initBare(path: mirrorPath)
            }
        }
        state.repository = repository
        return repository
    }

    /// Brings the mirror up to date with the remote; nothing to do for a local repository.
    func fetch(_ state: inout SourceState) throws(GitSourceError) {
        guard case .remote(let url) = location else { return }
        let repository = try repository(&state)
        let remote = try Remote.anonymous(repository, url: url, location: location)
        try remote.fetch(refspecs: SourceEngine.fetchRefspecs, credentials: credentials)
        if let head = remote.defaultBranch() {
            // Remembered so that the "main, else the remote's default branch" rule works between fetches.
            try repository.setSymbolicReference("HEAD", to: head)
        }
    }

    // MARK: Resolving

    func resolve(_ state: inout SourceState) throws(GitSourceError) -> Commit {
        let repository = try repository(&state)
        if case .commit(let id) = reference, location.isRemote,
            try repository.commit(ObjectID(hex: id.hex)) != nil
        {
            // A pinned commit that is already here cannot change: no need to touch the network.
        } else {
            try fetch(&state)
        }
        let oid = try resolveReference(repository)
        guard let commit = try repository.commit(oid) else {
            throw GitSourceError(.notFound, "no commit \(oid.hex) in \(location)")
        }
        return commit.metadata()
    }

    /// The branch name revert publishes to: the configured branch, or `main`, or the remote's default.
    func branchName(_ repository: Repository) throws(GitSourceError) -> String {
        switch reference {
        case .branch(let name):
            return name
        case .tag, .commit:
            throw GitSourceError(
                .invalidConfiguration, "the source follows a \(reference?.description ?? ""), not a branch")
        case nil:
            if try repository.referenceTarget("refs/heads/\(GitReference.defaultBranchName)") != nil {
                return GitReference.defaultBranchName
            }
            if let head = try repository.symbolicTarget("HEAD"), head.hasPrefix("refs/heads/") {
                return String(head.dropFirst("refs/heads/".count))
            }
            throw GitSourceError(
                .notFound, "no branch '\(GitReference.defaultBranchName)' and no default branch in \(location)")
        }
    }

    func resolveReference(_ repository: Repository) throws(GitSourceError) -> ObjectID {
        switch reference {
        case .commit(let id):
            guard let commit = try repository.commit(ObjectID(hex: id.hex)) else {
                throw GitSourceError(.notFound, "no commit \(id.hex) in \(location)")
            }
            return commit.oid
        case .tag(let name):
            guard let oid = try repository.peelToCommit("refs/tags/\(name)") else {
                throw GitSourceError(.notFound, "no tag '\(name)' in \(location)")
            }
            return oid
        case .branch, nil:
            let branch = try branchName(repository)
            guard let oid = try repository.peelToCommit("refs/heads/\(branch)") else {
                throw GitSourceError(.notFound, "no branch '\(branch)' in \(location)")
            }
            return oid
        }
    }

    func lookup(_ id: CommitID, _ repository: Repository) throws(GitSourceError) -> CommitObject {
        guard let commit = try repository.commit(ObjectID(hex: id.hex)) else {
            throw GitSourceError(.notFound, "no commit \(id.hex) in \(location)")
        }
        return commit
    }

    func commit(_ id: CommitID, _ state: inout SourceState) throws(GitSourceError) -> Commit {
        try lookup(id, repository(&state)).metadata()
    }

    func commit(matching abbreviation: String, _ state: inout SourceState) throws(GitSourceError) -> Commit {
        let lower = abbreviation.lowercased()
        guard (4...40).contains(lower.count), lower.utf8.allSatisfy(CommitID.isHexDigit) else {
            throw GitSourceError(.invalidConfiguration, "'\(abbreviation)' is not a commit id (4 to 40 hex digits)")
        }
        let repository = try repository(&state)
        if try repository.commit(prefix: lower) == nil {
            try fetch(&state)
        }
        let found: CommitObject?
        do throws(GitSourceError) {
            found = try repository.commit(prefix: lower)
        } catch {
            // GIT_EAMBIGUOUS: more than one object starts with these digits.
            guard error.libgit2Code == -5 else { throw error }
            throw GitSourceError(
                .invalidConfiguration, "commit id \(abbreviation) is ambiguous in \(location); give more digits")
        }
        guard let commit = found else {
            throw GitSourceError(.notFound, "no commit \(abbreviation) in \(location)")
        }
        return commit.metadata()
    }

    // MARK: Reading

    func files(at id: CommitID, _ state: inout SourceState) throws(GitSourceError) -> [SourceFile] {
        let repository = try repository(&state)
        let commit = try lookup(id, repository)
        var reader = try ManifestTreeReader(
            repository: repository, root: commit.tree(), base: path, maximumSize: maximumManifestSize,
            commit: id, include: include, exclude: exclude, packs: packReader(repository, &state))
        return try reader.read()
    }

    /// The source's pack reader, made on first use; nil when the repository's objects are not in a directory.
    func packReader(_ repository: Repository, _ state: inout SourceState) -> PackReader? {
        if let packs = state.packs { return packs }
        guard let objects = repository.objectsDirectory, let packs = try? PackReader(objectsDirectory: objects) else {
            return nil
        }
        state.packs = packs
        return packs
    }

    // MARK: History

    func history(from start: CommitID, limit: Int, _ state: inout SourceState) throws(GitSourceError) -> [Commit] {
        guard limit > 0 else { return [] }
        let repository = try repository(&state)
        let walk = try RevisionWalk.starting(at: lookup(start, repository).oid, in: repository)
        var result: [Commit] = []
        while result.count < limit, let oid = try walk.next() {
            guard let commit = try repository.commit(oid) else { continue }
            if try touchesPath(commit, repository) {
                result.append(commit.metadata())
            }
        }
        return result
    }

    /// Whether a commit changed anything under the path: it differs from every parent there (a merge that
    /// took the path unchanged from one side did not change it), or, for a root commit, has the path at all.
    func touchesPath(_ commit: CommitObject, _ repository: Repository) throws(GitSourceError) -> Bool {
        if path.components.isEmpty { return true }
        let mine = try entryID(commit)
        let parentIDs = commit.parentIDs
        if parentIDs.isEmpty { return mine != nil }
        for parentID in parentIDs {
            guard let parent = try repository.commit(parentID) else { continue }
            if try entryID(parent) == mine { return false }
        }
        return true
    }

    private func entryID(_ commit: CommitObject) throws(GitSourceError) -> ObjectID? {
        try commit.tree().entry(atPath: path.string)?.oid
    }

    func changedFiles(from old: CommitID, to new: CommitID, _ state: inout SourceState)
        throws(GitSourceError) -> [FileChange]
    {
        let repository = try repository(&state)
        let diff = try TreeDiff.between(
            lookup(old, repository).tree(), lookup(new, repository).tree(), in: repository, pathspec: path.string)
        return diff.changes().sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    func isAncestor(_ ancestor: CommitID, of descendant: CommitID, _ state: inout SourceState)
        throws(GitSourceError) -> Bool
    {
        let repository = try repository(&state)
        let a = try lookup(ancestor, repository).oid
        let d = try lookup(descendant, repository).oid
        if a == d { return true }
        return try repository.isDescendant(d, of: a)
    }

    // MARK: Reverting

    func revert(_ id: CommitID, _ state: inout SourceState) throws(GitSourceError) -> Commit {
        let repository = try repository(&state)
        try fetch(&state)
        let branch = try branchName(repository)
        let branchReference = "refs/heads/\(branch)"
        guard let tipID = try repository.peelToCommit(branchReference), let tip = try repository.commit(tipID) else {
            throw GitSourceError(.notFound, "no branch '\(branch)' in \(location)")
        }
        let target = try lookup(id, repository)
        if target.oid != tip.oid, !(try repository.isDescendant(tip.oid, of: target.oid)) {
            throw GitSourceError(.invalidConfiguration, "commit \(id.short) is not on branch '\(branch)'")
        }
        if case .local(let path) = location, !repository.isBare,
            try repository.symbolicTarget("HEAD") == branchReference
        {
            throw GitSourceError(
                .invalidConfiguration,
                "branch '\(branch)' is checked out in \(path); gitopsd does not touch working trees, "
                    + "run git revert \(id.short) there")
        }
        let index = try RevertIndex.reverting(
            target, onto: tip, mainline: target.parentIDs.count > 1 ? 1 : 0, in: repository)
        let conflicts = index.conflictingPaths()
        guard conflicts.isEmpty else {
            throw GitSourceError(
                .conflict,
                "reverting \(id.short) conflicts with later changes in: \(conflicts.joined(separator: ", "))")
        }
        let tree = try index.writeTree(to: repository)
        let subject = target.metadata().subject
        let message = "Revert \"\(subject)\"\n\nThis reverts commit \(id.hex).\n"
        let signature = try Signature.now(name: committerName, email: committerEmail)
        let newID = try repository.createCommit(
            tree: tree, parents: [tip], author: signature, committer: signature, message: message)
        switch location {
        case .local:
            try repository.setReference(
                branchReference, to: newID, expected: tip.oid, message: "gitopsd: revert \(id.short)")
        case .remote(let url):
            // Push through a temporary reference: libgit2 pushes references, not bare ids, and the branch in the
            // mirror must only move once the remote accepted the commit.
            let temporary = "refs/gitopsd/revert/\(newID.hex)"
            try repository.setReference(temporary, to: newID, expected: nil, message: "gitopsd: revert")
            defer { try? repository.removeReference(temporary) }
            let remote = try Remote.anonymous(repository, url: url, location: location)
            try remote.push(refspecs: ["\(temporary):\(branchReference)"], credentials: credentials)
            try repository.setReference(
                branchReference, to: newID, expected: tip.oid, message: "gitopsd: revert \(id.short)")
        }
        guard let created = try repository.commit(newID) else {
            throw GitSourceError(.failed, "the revert commit \(newID.hex) vanished")
        }
        return created.metadata()
    }
}
