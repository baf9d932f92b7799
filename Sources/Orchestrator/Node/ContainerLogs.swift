import Glibc

/// The log files of one container and a reader over them, for `gitopsd logs`.
///
/// Layout under the runtime's logs directory: `<namespace>_<pod>/<container>.log` (the current run),
/// `<container>.log.1` (the part rotated out when the current file grew past the size limit) and
/// `<container>.previous.log` (the run before the last restart, for `logs --previous`). Standard output and
/// standard error share one file, in the order the process wrote them.
///
/// Reading is safe beside a running writer and beside another gitopsd process (for example the CLI reading what
/// the daemon's containers write).
public struct ContainerLogs: Sendable, Hashable {
    /// The pod's log directory: `<logs-dir>/<namespace>_<pod>`.
    public var directory: String
    /// The container's name.
    public var container: String

    /// The logs of container `id` under `logsDirectory`.
    public init(logsDirectory: String, id: ContainerID) {
        self.directory = "\(logsDirectory)/\(id.namespace)_\(id.pod)"
        self.container = id.container
    }

    /// The current run's log file.
    public var currentPath: String { "\(directory)/\(container).log" }
    /// The previous chunk of the current run, rotated out at the size limit.
    public var rotatedPath: String { "\(directory)/\(container).log.1" }
    /// The log of the run before the latest restart.
    public var previousPath: String { "\(directory)/\(container).previous.log" }

    /// The whole current log (the rotated-out chunk is not included, like `kubectl logs`).
    ///
    /// - Throws: `NodeError.Code.notFound` when the container has never started here.
    public func read() throws(NodeError) -> String {
        try readText(currentPath, what: "log")
    }

    /// The last `count` lines of the current log, newline-terminated.
    public func tail(_ count: Int) throws(NodeError) -> String {
        Self.lastLines(of: try read(), count: count)
    }

    /// The log of the container's previous run (`logs --previous`).
    ///
    /// - Throws: `NodeError.Code.notFound` when the container has not been restarted.
    public func previous() throws(NodeError) -> String {
        try readText(previousPath, what: "previous log")
    }

    /// Follows the current log: yields existing lines (all of them, or the last `tail`), then each new line as
    /// it is written, until the consumer stops iterating (cancellation).
    ///
    /// Rotation by truncation and a restart (a new file at the same path) are both noticed and followed.
    /// Lines are yielded without their newline; a final line without a newline waits until it is completed.
    /// - Parameters:
    ///   - tail: how many existing lines to yield first; nil for all of them, 0 for none.
    ///   - pollInterval: how often to look for new data.
    public func follow(tail: Int? = nil, pollInterval: Duration = .milliseconds(100))
        -> AsyncThrowingStream<String, any Error>
    {
        let path = currentPath
        return AsyncThrowingStream { continuation in
            let task = Task {
                var follower = LogFollower(path: path)
                do {
                    var first = true
                    while !Task.isCancelled {
                        var lines = try follower.poll()
                        if first, let tail {
                            lines = Array(lines.suffix(max(tail, 0)))
                        }
                        first = false
                        for line in lines { continuation.yield(line) }
                        try await Task.sleep(for: pollInterval)
                    }
                    continuation.finish()
                } catch is CancellationError {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
                follower.close()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func readText(_ path: String, what: String) throws(NodeError) -> String {
        do {
            return String(decoding: try FileIO.readAll(path), as: UTF8.self)
        } catch  where error.errno == ENOENT {
            throw NodeError(.notFound, "no \(what) for container \(container) in \(directory)")
        } catch {
            throw NodeError(.logIO, "cannot read \(path)", cause: error)
        }
    }

    /// The last `count` lines of `text` (a final line without a newline counts).
    static func lastLines(of text: String, count: Int) -> String {
        guard count > 0 else { return "" }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.suffix(count).map { $0 + "\n" }.joined()
    }
}

/// The state of one `follow`: an open descriptor, an offset and an incomplete last line.
private struct LogFollower {
    let path: String
    private var fd: Int32 = -1
    private var inode: UInt64 = 0
    private var offset: off_t = 0
    private var partial: [UInt8] = []

    init(path: String) {
        self.path = path
    }

    /// Reads whatever is new and returns the complete lines.
    mutating func poll() throws(NodeError) -> [String] {
        var lines: [String] = []
        if let current = FileIO.status(path), fd < 0 || current.inode != inode {
            // First open, or the file was replaced (container restarted): finish the old file, then switch.
            if fd >= 0 { lines += try readNew() }
            close()
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return lines }
            inode = current.inode
            offset = 0
            partial = []
        }
        guard fd >= 0 else { return lines }
        return lines + (try readNew())
    }

    private mutating func readNew() throws(NodeError) -> [String] {
        if let size = FileIO.status(fd)?.size, size < offset {
            // Truncated by rotation: start again from the top of the file.
            offset = 0
            partial = []
        }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readToEnd(fd, from: offset)
        } catch {
            throw NodeError(.logIO, "cannot read \(path)", cause: error)
        }
        offset += off_t(bytes.count)
        partial.append(contentsOf: bytes)
        var lines: [String] = []
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: partial[..<newline], as: UTF8.self))
            partial.removeSubrange(...newline)
        }
        return lines
    }

    mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
