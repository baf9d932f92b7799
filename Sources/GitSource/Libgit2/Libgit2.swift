import CGit2
import Glibc

/// Process-wide libgit2 state and the conversion of libgit2 failures into `GitSourceError`.
enum Libgit2 {
    /// Swift initialises a static stored property exactly once, lazily and thread-safely, which is precisely
    /// the contract `git_libgit2_init` needs. It is never shut down: the process owns libgit2 until it exits.
    private static let initialisation: Int32 = {
        let result = git_libgit2_init()
        // Every object read would otherwise be re-hashed with collision-detecting SHA-1, which costs more than
        // reading it; git itself does not re-hash on read either. Objects are hashed when they enter a
        // repository: fetched packs are verified by libgit2's indexer as they arrive.
        _ = gitopsd_git_set_strict_hash_verification(0)
        return result
    }()

    /// Makes sure libgit2 is initialised; every wrapper entry point calls it first.
    static func initialise() {
        _ = initialisation
    }

    /// Reads libgit2's last error right after `call` returned `code` and turns it into a typed error.
    ///
    /// Must be called on the thread that made the failing call, before any other libgit2 call: the last
    /// error is thread-local and overwritten by the next failure.
    static func error(_ code: Int32, call: String, doing what: String) -> GitSourceError {
        var libgit2Message: String?
        var errorClass: Int32 = 0
        if let last = git_error_last() {
            if let cMessage = last.pointee.message {
                libgit2Message = String(cString: cMessage)
            }
            errorClass = last.pointee.klass
        }
        let kind = classify(code: code, errorClass: errorClass, message: libgit2Message ?? "")
        return GitSourceError(kind, what, call: call, libgit2Message: libgit2Message, libgit2Code: code)
    }

    /// Throws the libgit2 error when `result` is negative.
    @inline(__always)
    static func check(_ result: Int32, _ call: String, doing what: @autoclosure () -> String) throws(GitSourceError) {
        if result < 0 {
            throw error(result, call: call, doing: what())
        }
    }

    /// Maps libgit2's return code and error class onto what the caller should do.
    static func classify(code: Int32, errorClass: Int32, message: String) -> GitSourceError.Code {
        switch code {
        case GIT_ENOTFOUND.rawValue, GIT_EUNBORNBRANCH.rawValue: return .notFound
        case GIT_EAUTH.rawValue: return .authenticationFailed
        case GIT_ECERTIFICATE.rawValue: return .hostKeyRejected
        case GIT_ECONFLICT.rawValue, GIT_EMERGECONFLICT.rawValue: return .conflict
        case GIT_ENONFASTFORWARD.rawValue, GIT_EMODIFIED.rawValue: return .pushRejected
        default: break
        }
        let lower = message.lowercased()
        if lower.contains("401") || lower.contains("403") || lower.contains("authentication")
            || lower.contains("unauthorized")
        {
            return .authenticationFailed
        }
        if lower.contains("404") || lower.contains("not found") || lower.contains("does not appear to be a git")
            || lower.contains("could not find repository") || lower.contains("not a git repository")
        {
            return .notFound
        }
        switch UInt32(bitPattern: errorClass) {
        case GIT_ERROR_NET.rawValue, GIT_ERROR_SSH.rawValue, GIT_ERROR_HTTP.rawValue, GIT_ERROR_SSL.rawValue:
            return .unreachable
        case GIT_ERROR_OS.rawValue where lower.contains("connect") || lower.contains("resolve"):
            return .unreachable
        default:
            return .failed
        }
    }
}

extension git_oid {
    /// The id as lowercase hexadecimal.
    var hex: String {
        var copy = self
        // git_oid_fmt writes exactly 40 hex digits and no terminator.
        var digits = [UInt8](repeating: 0, count: 40)
        digits.withUnsafeMutableBytes { raw in
            _ = git_oid_fmt(raw.baseAddress?.assumingMemoryBound(to: CChar.self), &copy)
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// Parses full hexadecimal text.
    static func parse(_ hex: String) throws(GitSourceError) -> git_oid {
        var oid = git_oid()
        let result = git_oid_fromstrn(&oid, hex, hex.utf8.count)
        try Libgit2.check(result, "git_oid_fromstrn", doing: "'\(hex)' is not an object id")
        return oid
    }
}

/// Calls `body` with a `git_strarray` view of `strings`, valid only during the call.
func withStrArray<T>(_ strings: [String], _ body: (UnsafePointer<git_strarray>) throws(GitSourceError) -> T)
    throws(GitSourceError) -> T
{
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    var pointers: [UnsafeMutablePointer<CChar>?] = duplicates
    let result: Result<T, GitSourceError> = pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        do throws(GitSourceError) {
            return .success(try body(&array))
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

/// A git object id, owned by Swift; the C `git_oid` stays inside this folder.
struct ObjectID: Hashable, CustomStringConvertible {
    var raw: git_oid

    init(_ raw: git_oid) {
        self.raw = raw
    }

    /// Parses full hexadecimal text.
    init(hex: String) throws(GitSourceError) {
        self.raw = try git_oid.parse(hex)
    }

    /// Reads an id from its 20 raw bytes, as pack files and trees store it.
    ///
    /// - Precondition: `bytes` holds at least 20 bytes.
    init(rawBytes bytes: UnsafeRawPointer) {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { $0.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: 20)) }
        self.raw = oid
    }

    /// Calls `body` with the 20 raw bytes of the id, so that code outside this folder never sees `git_oid`.
    func withRawBytes<T, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        var id = raw.id
        return try withUnsafeBytes(of: &id) { (bytes) throws(E) -> T in try body(UnsafeRawBufferPointer(bytes)) }
    }

    /// The id as 40 lowercase hexadecimal digits, formatted in place (one allocation: a file's blob id is made
    /// for every manifest read).
    var hex: String {
        withUnsafeBytes(of: raw.id) { bytes in
            String(unsafeUninitializedCapacity: 40) { output in
                let digits = ("0123456789abcdef" as StaticString).utf8Start
                guard var out = output.baseAddress else { return 0 }
                for byte in bytes {
                    out[0] = digits[Int(byte >> 4)]
                    out[1] = digits[Int(byte & 0x0F)]
                    out += 2
                }
                return 40
            }
        }
    }

    var description: String { hex }

    static func == (lhs: ObjectID, rhs: ObjectID) -> Bool {
        var a = lhs.raw
        var b = rhs.raw
        return git_oid_equal(&a, &b) == 1
    }

    func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: raw.id) { hasher.combine(bytes: $0) }
    }
}
