import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A manifest file handed over in memory (the git source reads files from the object database).
public struct ManifestFile: Sendable, Hashable {
    /// The path shown in messages (`deploy/web.yaml`).
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// One object read from a manifest.
public struct LoadedObject: Sendable, Hashable {
    public var key: ObjectKey
    /// The object as written (strictly decoded, not defaulted).
    public var object: TypedObject
    /// The object's `Value` as written (after `List` expansion).
    public var value: Value
    /// Where the object starts.
    public var location: SourceLocation
    /// Where each of its fields was written.
    public var sourceMap: SourceMap

    /// `Kind/name`, as messages name the object.
    public var displayName: String { "\(key.kind)/\(key.name)" }
}

/// What loading a set of manifests produced: the objects, and every warning and error with its location.
public struct ManifestSet: Sendable {
    public var objects: [LoadedObject] = []
    /// Problems that do not make the set invalid (fields gitopsd keeps but does not act on, ignored status).
    public var warnings: [APIError] = []
    /// Problems that make the set invalid; reconciling an invalid set applies nothing.
    public var errors: [APIError] = []
    /// How many manifest files were read.
    public var fileCount = 0

    public init() {}

    /// Whether there are no errors.
    public var isValid: Bool { errors.isEmpty }
}

/// Loads Kubernetes manifests (YAML, multi-document, `List` kinds, JSON) into typed objects, validating them
/// as the API server would, with every problem located at file:line:col.
///
/// Directories are walked recursively in sorted order; hidden files and directories are skipped and only
/// `.yaml`, `.yml` and `.json` files are read. Files named explicitly are read whatever their extension.
/// Thread-safe: a loader holds only its configuration.
public struct ManifestLoader: Sendable {
    /// Limits and switches; the defaults suit repositories of hand-written manifests.
    public struct Configuration: Sendable {
        /// Larger files are refused (default 4 MiB).
        public var maximumFileSize = 4 << 20
        /// Nodes that aliases may add per file, counting each expansion in full (default 100 000): stops
        /// "billion laughs" documents.
        public var maximumAliasNodes = 100_000
        /// Deepest nesting of mappings and lists (default 100).
        public var maximumDepth = 100
        /// Whether loading also runs validation (on the defaulted objects). Default true.
        public var validates = true
        /// `--include`/`--exclude` globs for directories read from disk (each directory's `.gitopsdignore` is
        /// added to them).
        public var include: [String] = []
        public var exclude: [String] = []

        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Loads files and directories from disk.
    public func load(paths: [String]) -> ManifestSet {
        var files: [ManifestFile] = []
        var set = ManifestSet()
        for path in paths {
            var isDirectory: ObjCBool = false
            // A symlink that leads nowhere is read like a file, which reports why (dangling, a loop).
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || Self.isSymlink(path) else {
                set.errors.append(APIError(.io, "no such file or directory", location: SourceLocation(file: path, line: 0, column: 0)))
                continue
            }
            let candidates = isDirectory.boolValue ? manifestFiles(under: path) : [path]
            for file in candidates {
                switch readFile(file) {
                case .success(let bytes): files.append(ManifestFile(path: file, bytes: bytes))
                case .failure(let error): set.errors.append(error)
                }
            }
        }
        var loaded = load(files: files)
        loaded.errors = set.errors + loaded.errors
        return loaded
    }

    /// Loads files already in memory, in the order given.
    public func load(files: [ManifestFile]) -> ManifestSet {
        var set = ManifestSet()
        var seen: [ObjectKey: SourceLocation] = [:]
        for file in files {
            set.fileCount += 1
            let documents: [YAMLDocument]
            do throws(APIError) {
                let parsed = try parse(file)
                documents = parsed.documents
                set.errors += parsed.problems
            } catch {
                set.errors.append(error)
                continue
            }
            for document in documents {
                for (value, sourceMap) in Self.expandLists(document.value, document.sourceMap) {
                    load(value, sourceMap: sourceMap, into: &set, seen: &seen)
                }
            }
        }
        return set
    }

    /// Reads the documents of one file, enforcing the size limit.
    /// - Returns: the documents and the problems that did not stop reading (duplicate keys).
    func parse(_ file: ManifestFile) throws(APIError) -> (documents: [YAMLDocument], problems: [APIError]) {
        guard file.bytes.count <= configuration.maximumFileSize else {
            throw APIError(
                .limitExceeded,
                "file is \(file.bytes.count) bytes, larger than the limit of \(configuration.maximumFileSize) bytes",
                location: SourceLocation(file: file.path, line: 1, column: 1))
        }
        let limits = YAMLReader.Limits(
            maximumDepth: configuration.maximumDepth, maximumAliasNodes: configuration.maximumAliasNodes)
        return try YAMLReader.read(file.bytes, file: file.path, limits: limits)
    }

    private func load(_ value: Value, sourceMap: SourceMap, into set: inout ManifestSet, seen: inout [ObjectKey: SourceLocation]) {
        let start = sourceMap.location(of: FieldPath()) ?? SourceLocation(file: sourceMap.file, line: 1, column: 1)
        let name = value["metadata"]?["name"]?.stringValue ?? ""
        let kindName = value["kind"]?.stringValue ?? ""
        let label = kindName.isEmpty ? nil : "\(kindName)/\(name)"
        func locate(_ problems: [APIError]) -> [APIError] {
            let located = problems.map { problem in
                var located = problem
                located.location = sourceMap.location(of: FieldPath(problem.field ?? "")) ?? start
                located.object = label
                return located
            }
            return located.sorted {
                ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0)
            }
        }
        let review = Admission.review(value, validates: configuration.validates, isManifest: true)
        set.errors += locate(review.errors)
        set.warnings += locate(review.warnings)
        guard let object = review.object, let defaulted = review.defaulted else { return }
        let key = defaulted.key
        if let previous = seen[key] {
            set.errors.append(
                APIError(
                    .duplicateObject, "\(key) is also defined at \(previous)", location: start, object: label))
        } else {
            seen[key] = start
        }
        set.objects.append(LoadedObject(key: key, object: object, value: value, location: start, sourceMap: sourceMap))
    }

    /// `kind: List` (or any `*List`) with `items` becomes its items, each with its own source map.
    static func expandLists(_ value: Value, _ sourceMap: SourceMap) -> [(Value, SourceMap)] {
        guard let kind = value["kind"]?.stringValue, kind.hasSuffix("List"), case .array(let items)? = value["items"]
        else { return [(value, sourceMap)] }
        var result: [(Value, SourceMap)] = []
        for (index, item) in items.enumerated() {
            result += expandLists(item, sourceMap.scoped(to: FieldPath("items").index(index)))
        }
        return result
    }

    /// Reads a file from disk, refusing it by size before reading any of it.
    ///
    /// The size is that of the file opened (`fstat`), so a symlink to a huge file is refused as quickly as the
    /// file named itself; reading stops one byte past the limit, in case the file grew meanwhile.
    private func readFile(_ path: String) -> Result<[UInt8], APIError> {
        let location = SourceLocation(file: path, line: 1, column: 1)
        let limit = configuration.maximumFileSize
        func tooLarge(_ size: Int) -> APIError {
            APIError(
                .limitExceeded, "file is \(size) bytes, larger than the limit of \(limit) bytes", location: location)
        }
        // Non-blocking, so a FIFO named like a manifest cannot hang the open; `fstat` refuses it below.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return .failure(Self.openError(path, errno: errno, location: location)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            return .failure(APIError(.io, "cannot read file: \(String(cString: strerror(errno)))", location: location))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            return .failure(APIError(.io, "not a regular file", location: location))
        }
        guard status.st_size <= off_t(limit) else { return .failure(tooLarge(Int(status.st_size))) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count <= limit {
            let wanted = min(chunk.count, limit + 1 - bytes.count)
            let got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else {
                return .failure(
                    APIError(.io, "cannot read file: \(String(cString: strerror(errno)))", location: location))
            }
            if got == 0 { break }
            bytes += chunk[0..<got]
        }
        guard bytes.count <= limit else { return .failure(tooLarge(bytes.count)) }
        return .success(bytes)
    }

    /// Why a file could not be opened, in the words the git source uses for the same symlinks.
    static func openError(_ path: String, errno code: Int32, location: SourceLocation) -> APIError {
        if code == ELOOP {
            return APIError(.io, "symlink is part of a loop or a chain that is too long", location: location)
        }
        if code == ENOENT, isSymlink(path) {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            return APIError(.io, "symlink points to '\(target)', which does not exist", location: location)
        }
        return APIError(.io, "cannot open file: \(String(cString: strerror(code)))", location: location)
    }

    /// Whether `path` itself is a symlink (not followed).
    static func isSymlink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }

    /// Manifest files under `directory`, recursively, sorted, hidden entries skipped.
    func manifestFiles(under directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let ignoreFile = (try? String(contentsOfFile: prefix + PathFilter.ignoreFileName, encoding: .utf8))
        let filter = PathFilter(ignoreFile: ignoreFile, include: configuration.include, exclude: configuration.exclude)
        var result: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                enumerator.skipDescendants()
                continue
            }
            let full = prefix + relative
            var isDirectory: ObjCBool = false
            // An entry that does not resolve is a dangling or looping symlink: kept, so reading it reports it
            // (as the git source does) instead of skipping it silently.
            let resolves = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
            if resolves && isDirectory.boolValue {
                if !filter.admits(relative, isDirectory: true) { enumerator.skipDescendants() }
                continue
            }
            let lowered = relative.lowercased()
            guard lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") || lowered.hasSuffix(".json") else { continue }
            if filter.admits(relative, isDirectory: false) { result.append(full) }
        }
        return result.sorted()
    }
}
