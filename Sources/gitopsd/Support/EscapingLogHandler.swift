import API
import Logging

/// A log handler that writes each message and metadata value as one line with no control characters, so text
/// from a repository (a file name with a newline and ANSI escapes, a commit subject) can neither forge a log
/// line nor drive the terminal the log is read on. Wraps the handler that does the writing.
struct EscapingLogHandler: LogHandler {
    private var base: any LogHandler

    init(_ base: any LogHandler) {
        self.base = base
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(ControlCharacters.escaped(event.message.description))"
        event.metadata = event.metadata.map(Self.escaped)
        base.log(event: event)
    }

    private static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.mapValues(escaped)
    }

    private static func escaped(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): .string(ControlCharacters.escaped(text))
        case .stringConvertible(let convertible): .string(ControlCharacters.escaped(convertible.description))
        case .array(let values): .array(values.map(escaped))
        case .dictionary(let values): .dictionary(values.mapValues(escaped))
        }
    }
}

extension EscapingLogHandler {
    /// A handler writing to standard error at `level`, escaped.
    static func standardError(label: String, level: Logger.Level) -> EscapingLogHandler {
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return EscapingLogHandler(handler)
    }
}

extension Logger {
    /// The CLI's logger: standard error, control characters escaped.
    static func standardError(label: String = "gitopsd", level: Logger.Level) -> Logger {
        Logger(label: label) { EscapingLogHandler.standardError(label: $0, level: level) }
    }
}
