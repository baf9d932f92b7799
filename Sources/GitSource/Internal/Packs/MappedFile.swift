import Glibc

/// A whole file mapped read-only into memory; unmapped in `deinit`.
///
/// Pack files are written once under a temporary name and renamed into place, never changed afterwards, so a
/// mapping stays valid and consistent for as long as it is held, even after `git gc` deletes the file.
final class MappedFile {
    /// The file's bytes; valid until the object is deallocated.
    let bytes: UnsafeRawBufferPointer

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    /// Maps the file at `path`.
    ///
    /// - Throws: `PackReadError.unreadable` when the file cannot be opened or mapped, or is empty.
    static func open(_ path: String) throws(PackReadError) -> MappedFile {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable("cannot open \(path): errno \(errno)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable("cannot stat \(path): errno \(errno)") }
        let size = Int(status.st_size)
        guard size > 0 else { throw .unreadable("\(path) is empty") }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            throw .unreadable("cannot map \(path): errno \(errno)")
        }
        return MappedFile(bytes: UnsafeRawBufferPointer(start: base, count: size))
    }
}
