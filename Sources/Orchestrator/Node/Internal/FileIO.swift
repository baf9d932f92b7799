import Glibc

/// Small blocking file helpers for log files (reads and copies are short and local).
enum FileIO {
    /// Reads a whole file.
    static func readAll(_ path: String) throws(SystemCallError) -> [UInt8] {
        let fd = try Posix.open(path, O_RDONLY)
        defer { close(fd) }
        return try readToEnd(fd, from: 0)
    }

    /// Reads `fd` from `offset` to its current end.
    static func readToEnd(_ fd: Int32, from offset: off_t) throws(SystemCallError) -> [UInt8] {
        var bytes: [UInt8] = []
        var position = offset
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, position) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .current("pread")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
            position += off_t(count)
        }
    }

    /// The size and inode of `path`, or nil if it does not exist.
    static func status(_ path: String) -> (size: off_t, inode: UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_size, UInt64(info.st_ino))
    }

    /// The size and inode of an open descriptor.
    static func status(_ fd: Int32) -> (size: off_t, inode: UInt64)? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return (info.st_size, UInt64(info.st_ino))
    }

    /// Copies `source` to `destination` through a temporary file renamed into place.
    static func copy(_ source: String, to destination: String) throws(SystemCallError) {
        let bytes = try readAll(source)
        let temporary = destination + ".tmp"
        let fd = try Posix.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        defer { close(fd) }
        try writeAll(fd, bytes)
        if rename(temporary, destination) != 0 { throw .current("rename \(temporary)") }
    }

    /// Writes every byte, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemCallError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress?.advanced(by: written), buffer.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .current("write")
            }
            written += count
        }
    }

    /// Renames `source` over `destination`; a missing source is not an error.
    static func moveIfPresent(_ source: String, to destination: String) throws(SystemCallError) {
        if rename(source, destination) != 0 && errno != ENOENT { throw .current("rename \(source)") }
    }

    /// Deletes `path`; a missing file is not an error.
    static func removeIfPresent(_ path: String) {
        _ = unlink(path)
    }
}
