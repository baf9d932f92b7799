import Foundation

/// Checks an SSH host key against an OpenSSH known_hosts file.
///
/// libgit2 hands the certificate callback the server's raw key blob (the SSH wire format), which is exactly
/// what the base64 field of a known_hosts line encodes, so keys are compared byte for byte. Plain and hashed
/// (`|1|salt|hash`) host names, `[host]:port` for non-standard ports, patterns with `*` and `?`, negation with
/// `!` and `@revoked` markers are understood; `@cert-authority` lines are ignored (no certificates here).
enum KnownHosts {
    /// What the file says about a host and key.
    enum Verdict: Equatable {
        case trusted
        case unknown
        case mismatch
        case unreadable(String)
    }

    /// `~/.ssh/known_hosts` of the user running gitopsd.
    static var defaultPath: String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + "/.ssh/known_hosts"
    }

    /// The name a host is recorded under: `host`, or `[host]:port` when the port is not 22.
    static func name(host: String, port: Int?) -> String {
        guard let port, port != 22 else { return host }
        return "[\(host)]:\(port)"
    }

    /// Looks the host up in `file` and compares keys.
    static func verify(host: String, port: Int?, key: [UInt8], file: String) -> Verdict {
        guard let data = FileManager.default.contents(atPath: file) else {
            return FileManager.default.fileExists(atPath: file) ? .unreadable("permission denied") : .unknown
        }
        return verify(host: host, port: port, key: key, knownHosts: String(decoding: data, as: UTF8.self))
    }

    /// Looks the host up in the text of a known_hosts file and compares keys.
    static func verify(host: String, port: Int?, key: [UInt8], knownHosts: String) -> Verdict {
        let hostName = name(host: host, port: port)
        var sawHost = false
        for line in knownHosts.split(whereSeparator: \.isNewline) {
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            var revoked = false
            if first.hasPrefix("@") {
                if first == "@revoked" { revoked = true } else { continue }
                fields.removeFirst()
            }
            guard fields.count >= 3, matches(patterns: fields[0], host: hostName),
                let blob = Data(base64Encoded: fields[2])
            else { continue }
            let sameKey = [UInt8](blob) == key
            if revoked {
                if sameKey { return .mismatch }
                continue
            }
            if sameKey { return .trusted }
            sawHost = true
        }
        return sawHost ? .mismatch : .unknown
    }

    /// Whether a comma-separated host pattern list (or one hashed name) matches.
    static func matches(patterns: String, host: String) -> Bool {
        if patterns.hasPrefix("|1|") {
            return hashedMatches(patterns, host: host)
        }
        var matched = false
        for pattern in patterns.split(separator: ",") {
            if pattern.hasPrefix("!") {
                if glob(Array(pattern.dropFirst().lowercased().utf8), Array(host.lowercased().utf8)) { return false }
            } else if glob(Array(pattern.lowercased().utf8), Array(host.lowercased().utf8)) {
                matched = true
            }
        }
        return matched
    }

    /// `|1|base64(salt)|base64(HMAC-SHA1(salt, host))`, as written by `ssh-keygen -H`.
    static func hashedMatches(_ entry: String, host: String) -> Bool {
        let parts = entry.split(separator: "|", omittingEmptySubsequences: true)
        guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
            let expected = Data(base64Encoded: String(parts[2]))
        else { return false }
        return SHA1.hmac(key: [UInt8](salt), message: Array(host.utf8)) == [UInt8](expected)
    }

    /// Shell-style matching with `*` and `?`, as OpenSSH does for host patterns.
    static func glob(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star = -1
        var mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                mark = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
