public import Foundation

/// The outcome of a finished child process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

/// Runs programs to completion for tests: the built `gitopsd`, `git`, `python3`.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` and waits for it, capturing both output streams.
    /// - Parameters:
    ///   - directory: Working directory (default: the current one).
    ///   - environment: The child's whole environment (default: this process's).
    ///   - input: Bytes written to standard input, which is then closed.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil,
        environment: [String: String]? = nil, input: [UInt8]? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let output = Pipe()
        let error = Pipe()
        let standardInput = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input)) }
        try? standardInput.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child cannot fill one and block.
        let errorData = LockedData()
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return ProcessResult(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData.get(), as: UTF8.self))
    }

    /// Runs the built `gitopsd` with `arguments`.
    @discardableResult
    public static func gitopsd(_ arguments: [String], in directory: String? = nil) throws -> ProcessResult {
        try run(BuiltProducts.executable("gitopsd"), arguments, in: directory)
    }
}

/// A data buffer handed from a reader thread to the waiting test.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) {
        lock.withLock { data = value }
    }

    var isSet: Bool { lock.withLock { data != nil } }

    func get() -> Data { lock.withLock { data ?? Data() } }
}

extension ProcessRunner {
    /// `run`, waiting on a thread of its own: async tests must not block the few threads of Swift's
    /// cooperative pool on a child process, or every other test in the run stalls behind them.
    public static func runDetached(
        _ executable: String, _ arguments: [String], in directory: String? = nil,
        environment: [String: String]? = nil, input: [UInt8]? = nil
    ) async throws -> ProcessResult {
        try await offPool { try run(executable, arguments, in: directory, environment: environment, input: input) }
    }

    /// `gitopsd`, waiting on a thread of its own (see `runDetached`).
    public static func gitopsdDetached(_ arguments: [String], in directory: String? = nil) async throws -> ProcessResult {
        try await offPool { try gitopsd(arguments, in: directory) }
    }
}

/// Runs blocking work on a new thread and resumes the caller with its result.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
