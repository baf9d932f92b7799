import API
import Foundation
import GitSource

/// One source the daemon follows: a repository, a reference, a path, and how to sync it.
///
/// From flags (`--repo ...`) for the common case of one source, or from `--config gitopsd.yaml`:
///
/// ```yaml
/// sources:
///   - name: shop              # the gitopsd.io/source label; DNS-1123 label
///     repo: https://git.example.com/shop.git
///     branch: main            # or tag: / revision:
///     path: deploy
///     interval: 30s
///     prune: true
///     selfHeal: true
///     include: ["*.yaml"]     # as --include / --exclude
///     exclude: [charts/**]
///     username / passwordFile / tokenFile / sshKey / sshKeyPassphraseFile / knownHosts /
///     insecureSkipHostKeyCheck / allowEmpty: as the flags
/// ```
struct SourceSpec: Sendable {
    var name: String
    var git: GitSource.Configuration
    var interval: Duration?
    var prune: Bool
    var selfHeal: Bool
    var allowEmpty: Bool

    /// A source name from a repository path or URL: its last component, made a valid label.
    static func defaultName(for repository: String) -> String {
        var last = repository.split(whereSeparator: { "/:".contains($0) }).last.map(String.init) ?? "default"
        if last.hasSuffix(".git") { last.removeLast(4) }
        let cleaned = last.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let name = String(cleaned).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return name.isEmpty ? "default" : String(name.prefix(63))
    }

    /// Reads `--config FILE`.
    /// The keys a source entry may have.
    static let keys: Set<String> = [
        "name", "repo", "branch", "tag", "revision", "path", "interval", "prune", "selfHeal", "allowEmpty", "username",
        "passwordFile", "tokenFile", "sshKey", "sshKeyPassphraseFile", "knownHosts", "insecureSkipHostKeyCheck",
        "include", "exclude",
    ]

    static func load(configFile: String, dataDirectory: String) throws -> [SourceSpec] {
        guard let data = FileManager.default.contents(atPath: configFile) else {
            throw CLIError("cannot read the configuration file \(configFile)")
        }
        let documents = try Value.documents(yaml: Array(data), file: configFile)
        guard let sources = documents.first?["sources"]?.arrayValue, !sources.isEmpty else {
            throw CLIError("\(configFile): expected a non-empty `sources:` list")
        }
        var specs: [SourceSpec] = []
        for (index, entry) in sources.enumerated() {
            let field = "sources[\(index)]"
            // Every key is acted on or refused: a misspelt `pruen: false` must not prune silently.
            for key in (entry.objectValue ?? [:]).keys.sorted() where !Self.keys.contains(key) {
                throw CLIError(
                    "\(configFile): \(field).\(key): unknown field (known: \(Self.keys.sorted().joined(separator: ", ")))")
            }
            guard let repo = entry["repo"]?.stringValue else { throw CLIError("\(configFile): \(field).repo is required") }
            let name = entry["name"]?.stringValue ?? defaultName(for: repo)
            var reference: GitReference?
            if let branch = entry["branch"]?.stringValue { reference = .branch(branch) }
            if let tag = entry["tag"]?.stringValue { reference = .tag(tag) }
            if let revision = entry["revision"]?.stringValue {
                guard let id = CommitID(revision) else { throw CLIError("\(configFile): \(field).revision must be a full commit id") }
                reference = .commit(id)
            }
            func secret(_ key: String) throws -> String? {
                try entry[key]?.stringValue.map { try SourceOptions.secret(from: $0, what: key) }
            }
            if let sshKey = entry["sshKey"]?.stringValue { SecretFile.warnIfReadableByOthers(sshKey, what: "SSH key") }
            let credentials = GitCredentials(
                username: entry["username"]?.stringValue, password: try secret("passwordFile") ?? secret("tokenFile"),
                sshPrivateKeyPath: entry["sshKey"]?.stringValue,
                sshPassphrase: try secret("sshKeyPassphraseFile"), knownHostsPath: entry["knownHosts"]?.stringValue,
                insecureSkipHostKeyCheck: entry["insecureSkipHostKeyCheck"]?.boolValue ?? false)
            var interval: Duration?
            if let text = entry["interval"]?.stringValue {
                guard let parsed = DurationArgument.parse(text) else { throw CLIError("\(configFile): \(field).interval: cannot read '\(text)'") }
                interval = parsed
            }
            var git = GitSource.Configuration(
                repository: repo, reference: reference, path: entry["path"]?.stringValue ?? "",
                credentials: credentials, dataDirectory: dataDirectory)
            for key in ["include", "exclude"] {
                guard let list = entry[key] else { continue }
                guard let globs = list.arrayValue?.compactMap(\.stringValue), globs.count == list.arrayValue?.count
                else { throw CLIError("\(configFile): \(field).\(key) must be a list of glob strings") }
                if key == "include" { git.include = globs } else { git.exclude = globs }
            }
            specs.append(
                SourceSpec(
                    name: name,
                    git: git,
                    interval: interval, prune: entry["prune"]?.boolValue ?? true,
                    selfHeal: entry["selfHeal"]?.boolValue ?? true, allowEmpty: entry["allowEmpty"]?.boolValue ?? false))
        }
        let names = specs.map(\.name)
        if Set(names).count != names.count { throw CLIError("\(configFile): source names must be unique") }
        return specs
    }
}
