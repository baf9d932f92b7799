import Glibc

/// The fields of `/proc/<pid>/stat` the runtime needs to recognise a process again.
struct ProcStat: Sendable, Hashable {
    /// Field 3: R, S, D, Z (zombie), T, ...
    var state: Character
    /// Field 4.
    var parentPID: pid_t
    /// Field 5: the process group.
    var processGroup: pid_t
    /// Field 22: start time in clock ticks since boot. Together with the pid it names one process for good.
    var startTime: UInt64

    /// Reads `/proc/<pid>/stat`; nil if the process does not exist (or the file cannot be parsed).
    static func read(_ pid: pid_t) -> ProcStat? {
        guard let text = readSmallFile("/proc/\(pid)/stat") else { return nil }
        return parse(text)
    }

    /// Parses the text of a stat file. The command (field 2) may hold spaces and parentheses, so fields are
    /// counted from the last `)`.
    static func parse(_ text: String) -> ProcStat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), so field N is fields[N - 3].
        guard fields.count > 19, let state = fields[0].first, let parent = pid_t(fields[1]),
            let group = pid_t(fields[2]), let start = UInt64(fields[19])
        else { return nil }
        return ProcStat(state: state, parentPID: parent, processGroup: group, startTime: start)
    }

    /// Reads a small file (a few KiB at most) in one go; nil when it cannot be opened.
    private static func readSmallFile(_ path: String) -> String? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
