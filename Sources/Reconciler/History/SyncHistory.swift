public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The sync history of a data directory: an append-only JSON Lines file, `<data-dir>/history.jsonl`.
///
/// Each record is one `write` to a file opened with `O_APPEND`, followed by `fsync`, so a crash loses at
/// most the record being written, and a torn last line is skipped when reading. The file is trimmed to the
/// newest `limit` records when it grows to twice that.
public struct SyncHistory: Sendable {
    public let path: String
    public let limit: Int

    public init(dataDirectory: String, limit: Int = 1000) {
        self.path = (dataDirectory as NSString).appendingPathComponent("history.jsonl")
        self.limit = limit
    }

    /// Appends a record durably.
    public func append(_ record: SyncRecord) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(record)
        line.append(0x0A)
        // Owner-only, like the rest of the data directory: records carry commit subjects and error messages.
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ReconcileError(.history, "cannot open \(path): \(String(cString: strerror(errno)))", next: .retry) }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw ReconcileError(.history, "cannot write \(path): \(String(cString: strerror(errno)))", next: .retry) }
        fsync(descriptor)
        try trimIfNeeded()
    }

    /// The records, newest first; at most `count` when given.
    public func records(source: String? = nil, count: Int? = nil) throws -> [SyncRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var records: [SyncRecord] = []
        for line in data.split(separator: 0x0A) {
            // A torn last line after a crash does not parse; it is skipped, not fatal.
            guard let record = try? decoder.decode(SyncRecord.self, from: Data(line)) else { continue }
            if let source, record.source != source { continue }
            records.append(record)
        }
        records.reverse()
        if let count { records = Array(records.prefix(count)) }
        return records
    }

    private func trimIfNeeded() throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let lines = data.split(separator: 0x0A)
        guard lines.count > 2 * limit else { return }
        var kept = Data()
        for line in lines.suffix(limit) {
            kept.append(contentsOf: line)
            kept.append(0x0A)
        }
        let temporary = path + ".tmp"
        try kept.write(to: URL(fileURLWithPath: temporary), options: .atomic)
        chmod(temporary, 0o600)
        guard rename(temporary, path) == 0 else { throw ReconcileError(.history, "cannot replace \(path)", next: .retry) }
    }
}
