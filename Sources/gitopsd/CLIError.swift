import ArgumentParser

/// A failure to report to the user as one line on standard error, then exit 1.
///
/// Commands throw this (or let a module's error through, which prints the same way) instead of calling
/// `exit` themselves, so exit codes are decided in one place.
struct CLIError: Error, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
