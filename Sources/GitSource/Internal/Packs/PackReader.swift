import Glibc

/// Reads objects straight from a repository's pack files, for the manifest read path.
///
/// Why it exists: libgit2 1.5 spends more on its bookkeeping per object than on reading it (a cache insert
/// and several mutexes per read, a global lock around its pack windows, a fresh zlib stream per object, and a
/// second pass to read the header before the object), which made reading 5,000 small manifests slower than
/// `git cat-file --batch`. This reader does only what that path needs: find the id in each pack's index,
/// inflate with one re-used zlib stream, and resolve delta chains through a small cache of bases.
///
/// It is read-only and never authoritative: whatever it does not handle — a loose object, an object in no pack
/// (or in an alternate object database), an index version other than 2, a pack that fails a check — it
/// reports with a `PackReadError`, and the caller reads the object through libgit2 instead, so behaviour is
/// that of libgit2 in every case this reader declines.
///
/// The list of packs is read when first needed and read again when an object is not found and the pack
/// directory changed since (a fetch or a repack added a pack). Packs that disappeared are dropped then;
/// their mappings stay valid until that point because pack files are never modified in place.
///
/// Not thread-safe: it belongs to one source's worker queue, like the libgit2 repository it sits beside.
final class PackReader {
    /// Tunables, with their defaults.
    struct Configuration {
        /// The most bytes of inflated objects kept to resolve deltas (and repeated reads) quickly. Default
        /// 16 MiB: a manifest tree of thousands of small files fits many times over, and a source keeps its
        /// reader between polls, so this is held for the life of the source.
        var deltaBaseCacheBytes = 16 << 20

        /// The defaults.
        init() {}
    }

    /// What a read found.
    enum Lookup {
        /// The whole object.
        case object(PackedObject)
        /// The object is larger than the limit given; it was not inflated, only its header was read.
        case tooLarge(size: Int)
    }

    /// Counters for tests and benchmarks; they say which work was done, not how long it took.
    struct Statistics: Equatable {
        /// Objects returned by `read`.
        var objectsRead = 0
        /// Bytes written by zlib: whole objects, deltas, and delta headers read for a size check.
        var bytesInflated = 0
        /// Deltas applied to rebuild an object.
        var deltasApplied = 0
        /// Objects (requested or bases) found in the cache.
        var cacheHits = 0
        /// Times the pack directory was listed.
        var packScans = 0
    }

    /// The `objects/pack` directory read.
    let packDirectory: String
    /// What the reader has done so far.
    private(set) var statistics = Statistics()

    /// One opened pack: index and data, and a serial number unique within this reader. A class so that
    /// handing one around costs one reference count, not one per mapping.
    private final class Pack {
        let serial: Int
        let name: String
        let index: PackIndex
        let data: PackFile

        init(serial: Int, name: String, index: PackIndex, data: PackFile) {
            self.serial = serial
            self.name = name
            self.index = index
            self.data = data
        }
    }

    /// One step of a delta chain still to be applied: the delta entry and where it is stored.
    private struct ChainLink {
        var pack: Int
        var key: DeltaBaseCache.Key
        var entry: PackEntry
    }

    /// Longer chains than this are treated as corrupt (reference deltas could form a loop); git's own limit
    /// when packing is 4,095.
    private static let maximumChainLength = 10_000

    /// Deltas up to this size are inflated in one zlib call before their header is read; larger ones only as
    /// far as their header first, so that the object they rebuild can be refused having inflated 20 bytes.
    /// Either way the object itself is never rebuilt when it is over the limit, and at most this much is
    /// inflated for it.
    static let wholeDeltaLimit = 64 << 10

    /// Scratch space for deltas up to this size is kept between reads; more is freed after the read.
    private static let retainedScratchBytes = 1 << 20

    private var packs: [Pack] = []
    private var scanned = false
    private var directoryStamp: DirectoryStamp?
    private var nextSerial = 0
    /// The pack that answered the last lookup, tried first: objects read together tend to share a pack.
    private var lastPack = 0
    private var cache: DeltaBaseCache
    private let inflater: Inflater
    /// Where the requested object's delta is inflated, and where the deltas below it in its chain are; kept
    /// between reads so that reading a delta allocates nothing but its result.
    private let requestedDelta = ScratchBuffer()
    private let chainDelta = ScratchBuffer()
    private var chain: [ChainLink] = []

    /// Creates a reader for the object database at `objectsDirectory` (a repository's `objects/`). Nothing is
    /// opened until the first read.
    ///
    /// - Throws: `.unsupported` when zlib cannot be initialised.
    init(objectsDirectory: String, configuration: Configuration = .init()) throws(PackReadError) {
        self.packDirectory = objectsDirectory + "/pack"
        self.cache = DeltaBaseCache(capacity: configuration.deltaBaseCacheBytes)
        self.inflater = try Inflater()
    }

    /// Reads the object `id`, unless it is larger than `maximumSize` bytes, which is known from the entry's header
    /// for a whole object, and from the delta's header for a delta, before the object is inflated or rebuilt
    /// (see `wholeDeltaLimit`).
    ///
    /// - Throws: `.notInPacks` when no pack holds the object; `.unsupported`, `.unreadable` or `.corrupt` when
    ///   this reader cannot read it. In every case the caller should read the object some other way.
    func read(_ id: ObjectID, maximumSize: Int = .max) throws(PackReadError) -> Lookup {
        defer {
            requestedDelta.trim(above: PackReader.retainedScratchBytes)
            chainDelta.trim(above: PackReader.retainedScratchBytes)
        }
        guard
            let (packPosition, offset) = try id.withRawBytes({ (raw) throws(PackReadError) in
                try locate(raw.baseAddress.unsafelyUnwrapped)
            })
        else {
            throw .notInPacks
        }
        let pack = packs[packPosition]
        let key = DeltaBaseCache.Key(pack: pack.serial, offset: offset)
        if let cached = cache.object(at: key) {
            statistics.cacheHits += 1
            guard cached.bytes.count <= maximumSize else { return .tooLarge(size: cached.bytes.count) }
            statistics.objectsRead += 1
            return .object(cached)
        }
        let entry = try pack.data.entry(at: offset)
        let object: PackedObject
        switch entry.kind {
        case .whole(let kind):
            guard entry.size <= maximumSize else { return .tooLarge(size: entry.size) }
            object = PackedObject(kind: kind, bytes: try inflateWhole(entry, in: pack))
        case .offsetDelta, .referenceDelta:
            // Inflate the delta (a large one only as far as its header), learn the object's size from it, and stop
            // there if that is too large; otherwise inflate the rest, rebuild the base, and apply.
            requestedDelta.reserve(entry.size)
            try inflater.start(pack.data.stream(from: entry.dataOffset))
            let headerLength =
                entry.size <= PackReader.wholeDeltaLimit ? entry.size : min(entry.size, Delta.maximumHeaderLength)
            try inflater.fill(requestedDelta.prefix(headerLength), last: headerLength == entry.size)
            statistics.bytesInflated += headerLength
            let header = try Delta.header(UnsafeRawBufferPointer(requestedDelta.prefix(headerLength)))
            guard header.resultSize <= maximumSize else { return .tooLarge(size: header.resultSize) }
            if headerLength < entry.size {
                try inflater.fill(requestedDelta.slice(headerLength..<entry.size), last: true)
                statistics.bytesInflated += entry.size - headerLength
            }
            let base = try resolve(baseOf: entry, in: packPosition)
            object = try apply(
                UnsafeRawBufferPointer(requestedDelta.prefix(entry.size)), header: header, to: base)
        }
        cache.insert(object, at: key)
        statistics.objectsRead += 1
        return .object(object)
    }

    // MARK: Finding objects

    /// The pack and offset holding the object with the 20-byte id at `id`; nil when no pack holds it, even after
    /// listing the pack directory again if it changed.
    private func locate(_ id: UnsafeRawPointer) throws(PackReadError) -> (pack: Int, offset: Int)? {
        if !scanned { scan() }
        if let found = try search(id) { return found }
        guard DirectoryStamp(packDirectory) != directoryStamp else { return nil }
        scan()
        return try search(id)
    }

    private func search(_ id: UnsafeRawPointer) throws(PackReadError) -> (pack: Int, offset: Int)? {
        guard !packs.isEmpty else { return nil }
        if lastPack < packs.count, let offset = try packs[lastPack].index.offset(of: id) {
            return (lastPack, offset)
        }
        for position in packs.indices where position != lastPack {
            if let offset = try packs[position].index.offset(of: id) {
                lastPack = position
                return (position, offset)
            }
        }
        return nil
    }

    /// Lists the pack directory: keeps the packs already open that are still there, opens new ones, and drops
    /// the rest. A pack that cannot be opened (an unsupported index version, an index without its pack yet) is
    /// skipped; its objects are read through libgit2.
    private func scan() {
        statistics.packScans += 1
        scanned = true
        // Stamped before listing: a pack added during the listing changes the directory again, so the next miss
        // lists it once more rather than never.
        directoryStamp = DirectoryStamp(packDirectory)
        let names = PackReader.listIndexes(in: packDirectory)
        var open: [String: Pack] = [:]
        for pack in packs { open[pack.name] = pack }
        var updated: [Pack] = []
        for name in names {
            if let pack = open[name] {
                updated.append(pack)
                continue
            }
            let base = packDirectory + "/" + name
            guard let index = try? PackIndex(MappedFile.open(base + ".idx")),
                let data = try? PackFile(MappedFile.open(base + ".pack"), index: index)
            else { continue }
            updated.append(Pack(serial: nextSerial, name: name, index: index, data: data))
            nextSerial += 1
        }
        let dropped = Set(packs.map(\.serial)).subtracting(updated.map(\.serial))
        if !dropped.isEmpty { cache.removeAll() }
        packs = updated
        lastPack = 0
    }

    /// The names of the `pack-*.idx` files in `directory`, without the extension, sorted; none when the
    /// directory cannot be read (a repository without packs yet).
    private static func listIndexes(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix("pack-") && name.hasSuffix(".idx") {
                names.append(String(name.dropLast(".idx".count)))
            }
        }
        return names.sorted()
    }

    // MARK: Rebuilding objects

    /// The whole object that `entry` (a delta) applies to: walks down the chain to an object in the cache or
    /// stored whole, then applies the deltas back up, caching each result (they are the bases of what is above).
    private func resolve(baseOf top: PackEntry, in topPack: Int) throws(PackReadError) -> PackedObject {
        chain.removeAll(keepingCapacity: true)
        var (packPosition, offset) = try base(of: top, in: topPack)
        var object: PackedObject
        while true {
            let key = DeltaBaseCache.Key(pack: packs[packPosition].serial, offset: offset)
            if let cached = cache.object(at: key) {
                statistics.cacheHits += 1
                object = cached
                break
            }
            let entry = try packs[packPosition].data.entry(at: offset)
            if case .whole(let kind) = entry.kind {
                object = PackedObject(kind: kind, bytes: try inflateWhole(entry, in: packs[packPosition]))
                cache.insert(object, at: key)
                break
            }
            guard chain.count < PackReader.maximumChainLength else { throw .corrupt("delta chain too long") }
            chain.append(ChainLink(pack: packPosition, key: key, entry: entry))
            (packPosition, offset) = try base(of: entry, in: packPosition)
        }
        while let link = chain.popLast() {
            chainDelta.reserve(link.entry.size)
            let delta = chainDelta.prefix(link.entry.size)
            try inflater.inflate(packs[link.pack].data.stream(from: link.entry.dataOffset), into: delta)
            statistics.bytesInflated += link.entry.size
            let header = try Delta.header(UnsafeRawBufferPointer(delta))
            object = try apply(UnsafeRawBufferPointer(delta), header: header, to: object)
            cache.insert(object, at: link.key)
        }
        return object
    }

    /// Where the base of a delta entry is stored.
    private func base(of entry: PackEntry, in packPosition: Int) throws(PackReadError) -> (pack: Int, offset: Int) {
        switch entry.kind {
        case .offsetDelta(let baseOffset):
            return (packPosition, baseOffset)
        case .referenceDelta(let idOffset):
            // Usually in the same pack; a thin pack completed by a fetch may name a base in another one. The pack
            // list is not re-read here: positions in the chain being resolved must stay valid.
            let id = packs[packPosition].data.rawID(at: idOffset)
            if let offset = try packs[packPosition].index.offset(of: id) { return (packPosition, offset) }
            guard let found = try search(id) else { throw .notInPacks }
            return found
        case .whole:
            throw .corrupt("a whole object has no base")
        }
    }

    private func inflateWhole(_ entry: PackEntry, in pack: Pack) throws(PackReadError) -> [UInt8] {
        let bytes = try [UInt8](uninitializedCount: entry.size) { (output) throws(PackReadError) in
            try inflater.inflate(pack.data.stream(from: entry.dataOffset), into: output)
        }
        statistics.bytesInflated += entry.size
        return bytes
    }

    private func apply(_ delta: UnsafeRawBufferPointer, header: Delta.Header, to base: PackedObject)
        throws(PackReadError) -> PackedObject
    {
        try Delta.checkResultSize(header, deltaLength: delta.count)
        let bytes = try [UInt8](uninitializedCount: header.resultSize) { (output) throws(PackReadError) in
            // Array.withUnsafeBytes rethrows untyped errors; a Result keeps the type.
            try base.bytes.withUnsafeBytes { base in
                Result { () throws(PackReadError) in try Delta.apply(delta, header: header, to: base, into: output) }
            }.get()
        }
        statistics.deltasApplied += 1
        return PackedObject(kind: base.kind, bytes: bytes)
    }
}

/// What identifies a state of a directory's listing: a file added or removed changes its modification time.
///
/// Nanosecond times, but the kernel's clock for them ticks coarsely, so two changes close together can share a
/// stamp; a pack missed that way is still read, through libgit2, until the directory changes again.
private struct DirectoryStamp: Equatable {
    var device: UInt64
    var inode: UInt64
    var seconds: Int
    var nanoseconds: Int

    init?(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        seconds = Int(status.st_mtim.tv_sec)
        nanoseconds = Int(status.st_mtim.tv_nsec)
    }
}

/// A growable byte buffer re-used between reads; freed in `deinit`.
private final class ScratchBuffer {
    private var storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    deinit {
        storage.deallocate()
    }

    /// Makes room for at least `count` bytes; what was there is not kept.
    func reserve(_ count: Int) {
        guard count > storage.count else { return }
        storage.deallocate()
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 4096), alignment: 16)
    }

    /// The first `count` bytes (`reserve` them first).
    func prefix(_ count: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: storage[0..<count])
    }

    /// The bytes in `range` (`reserve` them first).
    func slice(_ range: Range<Int>) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: storage[range])
    }

    /// Gives the memory back when more than `limit` bytes are held, so that one large delta does not stay
    /// allocated for the life of the source.
    func trim(above limit: Int) {
        guard storage.count > limit else { return }
        storage.deallocate()
        storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }
}
