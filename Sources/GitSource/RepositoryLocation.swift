import Foundation

/// Where a source's repository lives, decided once from what the user typed.
///
/// A plain path names a local repository that is read in place. Anything with a scheme (`file://`, `http://`,
/// `https://`, `ssh://`, `git://`) or in scp form (`user@host:path`) is a remote that is mirrored under the data
/// directory and fetched on each poll; `file://` is treated as a remote on purpose, exactly as git does, which
/// also makes it the cheapest real transport for tests.
public enum RepositoryLocation: Sendable, Hashable, CustomStringConvertible {
    /// A repository on this machine (working tree or bare), by absolute path.
    case local(path: String)
    /// A remote repository, by URL as libgit2 understands it.
    case remote(url: String)

    /// Classifies what the user typed.
    ///
    /// - Parameters:
    ///   - repository: a path, URL or scp-style address.
    ///   - currentDirectory: the directory relative paths are resolved against.
    /// - Throws: `GitSourceError` with code `.invalidConfiguration` for an empty string or unknown scheme.
    public init(parsing repository: String, currentDirectory: String) throws(GitSourceError) {
        let trimmed = repository.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw GitSourceError(.invalidConfiguration, "the repository is empty")
        }
        if let schemeEnd = trimmed.range(of: "://") {
            let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
            guard ["file", "http", "https", "ssh", "git", "ssh+git", "git+ssh"].contains(scheme) else {
                throw GitSourceError(.invalidConfiguration, "unsupported repository URL scheme '\(scheme)'")
            }
            self = .remote(url: trimmed)
            return
        }
        if RepositoryLocation.isSCPLike(trimmed) {
            self = .remote(url: trimmed)
            return
        }
        let absolute = trimmed.hasPrefix("/") ? trimmed : currentDirectory + "/" + trimmed
        self = .local(path: RepositoryPath.normalisedFileSystemPath(absolute))
    }

    /// `user@host:path` or `host:path` as scp and git accept them: a colon before any slash.
    static func isSCPLike(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let before = text[..<colon]
        guard !before.isEmpty, !before.contains("/") else { return false }
        // A single letter before the colon is a Windows drive, not a host.
        return before.count > 1
    }

    /// Whether this is a remote that gets a mirror.
    public var isRemote: Bool {
        if case .remote = self { return true }
        return false
    }

    /// The location with any password in the URL hidden, safe for logs and errors.
    public var description: String {
        switch self {
        case .local(let path): path
        case .remote(let url): RepositoryLocation.redacted(url)
        }
    }

    /// Replaces the userinfo password of a URL (`https://user:secret@host`) with `***`.
    static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userinfo = authority[..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<schemeEnd.upperBound]) + userinfo[..<colon] + ":***" + String(rest[at...])
    }

    /// The host and port of a remote URL, for matching against known_hosts (port nil when not given).
    var hostAndPort: (host: String, port: Int?)? {
        guard case .remote(let url) = self else { return nil }
        var authority: Substring
        if let schemeEnd = url.range(of: "://") {
            let rest = url[schemeEnd.upperBound...]
            authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
        } else {
            authority = url[..<(url.firstIndex(of: ":") ?? url.endIndex)]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            return (String(authority), nil)
        }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            return (String(host), after.hasPrefix(":") ? Int(after.dropFirst()) : nil)
        }
        if let colon = authority.lastIndex(of: ":") {
            return (String(authority[..<colon]), Int(authority[authority.index(after: colon)...]))
        }
        return (String(authority), nil)
    }

    /// A file-system-safe name that is stable for a URL: readable host and path, plus a hash of the whole URL
    /// so that two URLs never share a mirror. Credentials in the URL are left out of the readable part.
    var mirrorName: String {
        let url: String
        switch self {
        case .local(let path): url = path
        case .remote(let remote): url = remote
        }
        var readable = RepositoryLocation.redacted(url)
        if let schemeEnd = readable.range(of: "://") { readable = String(readable[schemeEnd.upperBound...]) }
        if let at = readable.firstIndex(of: "@"), !readable[..<at].contains("/") {
            readable = String(readable[readable.index(after: at)...])
        }
        if readable.hasSuffix(".git") { readable.removeLast(4) }
        var name = ""
        for scalar in readable.unicodeScalars {
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                || (scalar >= "0" && scalar <= "9") || scalar == "." || scalar == "_" || scalar == "-"
            name.append(ok ? Character(scalar) : "-")
        }
        while name.contains("--") { name = name.replacingOccurrences(of: "--", with: "-") }
        name = String(name.trimmingCharacters(in: CharacterSet(charactersIn: "-.")).suffix(80))
        return (name.isEmpty ? "source" : name) + "-" + RepositoryLocation.fnv1a(url)
    }

    /// FNV-1a, 64 bits, as 16 hex digits: stable across runs and platforms, unlike `Hasher`.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
