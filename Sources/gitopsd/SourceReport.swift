import Foundation
import GitSource

/// What `gitopsd source -o json|yaml` prints: the commit and the files with their sizes (never contents).
struct SourceReport: Encodable {
    struct Person: Encodable {
        var name: String
        var email: String
        var time: String
    }

    struct CommitInfo: Encodable {
        var id: String
        var shortID: String
        var subject: String
        var body: String
        var author: Person
        var committer: Person
        var parents: [String]

        init(_ commit: Commit) {
            let formatter = ISO8601DateFormatter()
            id = commit.id.hex
            shortID = commit.shortID
            subject = commit.subject
            body = commit.body
            author = Person(
                name: commit.author.name, email: commit.author.email, time: formatter.string(from: commit.author.time))
            committer = Person(
                name: commit.committer.name, email: commit.committer.email,
                time: formatter.string(from: commit.committer.time))
            parents = commit.parents.map(\.hex)
        }

        /// The commit as YAML mapping lines at indentation 0.
        func yamlLines() -> [String] {
            var lines = [
                "id: \(id)", "shortID: \"\(shortID)\"", "subject: \(SourceReport.quoted(subject))",
                "body: \(SourceReport.quoted(body))",
            ]
            for (key, person) in [("author", author), ("committer", committer)] {
                lines.append("\(key):")
                lines.append("  name: \(SourceReport.quoted(person.name))")
                lines.append("  email: \(SourceReport.quoted(person.email))")
                lines.append("  time: \"\(person.time)\"")
            }
            lines.append("parents: [\(parents.map { "\"\($0)\"" }.joined(separator: ", "))]")
            return lines
        }

        /// The commit as one item of a YAML list.
        func yamlListItem() -> String {
            yamlLines().enumerated().map { index, line in (index == 0 ? "- " : "  ") + line + "\n" }.joined()
        }
    }

    struct FileInfo: Encodable {
        var path: String
        var size: Int
        var blobID: String
    }

    var commit: CommitInfo
    var files: [FileInfo]

    init(commit: Commit, files: [SourceFile]) {
        self.commit = CommitInfo(commit)
        self.files = files.map { FileInfo(path: $0.path, size: $0.size, blobID: $0.blobID) }
    }

    func json() throws -> String {
        try SourceReport.json(self)
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func yaml() -> String {
        var text = "commit:\n" + commit.yamlLines().map { "  " + $0 + "\n" }.joined()
        text += files.isEmpty ? "files: []\n" : "files:\n"
        for file in files {
            text += "  - path: \(SourceReport.quoted(file.path))\n    size: \(file.size)\n    blobID: \(file.blobID)\n"
        }
        return text
    }

    /// A YAML double-quoted scalar (JSON string syntax is valid YAML).
    static func quoted(_ text: String) -> String {
        (try? json(text)) ?? "\"\""
    }
}
