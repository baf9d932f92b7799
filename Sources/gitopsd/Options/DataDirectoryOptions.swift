import ArgumentParser
import Orchestrator

/// `--data-dir`: where gitopsd keeps its state (object store, logs, mirrors). Shared by every command that
/// reads or writes live state, so a CLI call beside a running daemon opens the same store safely.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The data directory.")
    var dataDirectory: String = ".gitopsd"

    /// Opens (creating if needed) the object store in the data directory.
    func openStore() throws -> SQLiteObjectStore {
        try Self.openStore(dataDirectory)
    }

    /// Opens (creating if needed) the object store in `dataDirectory`.
    static func openStore(_ dataDirectory: String) throws -> SQLiteObjectStore {
        do {
            return try SQLiteObjectStore(dataDirectory: dataDirectory)
        } catch {
            throw CLIError("cannot open the data directory \(dataDirectory): \(error)")
        }
    }
}
