#if canImport(Glibc)
    import Glibc
#endif

/// Checks on files that hold secrets (passwords, tokens, SSH keys, webhook secrets) named on the command line or
/// in a configuration file.
enum SecretFile {
    /// Warns on standard error when users other than the owner may read `path`, as ssh does for keys: the secret
    /// is only as safe as the file. The file is still used, so an existing setup keeps working.
    static func warnIfReadableByOthers(_ path: String, what: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 != 0 else { return }
        let octal = String(mode, radix: 8)
        printError(
            "warning: the \(what) file \(path) has mode 0\(octal), so other users can read it; "
                + "run `chmod 600 \(path)`")
    }
}
