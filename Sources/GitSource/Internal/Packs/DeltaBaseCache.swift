/// Recently read pack objects, by where they are stored, so that a delta chain shared by many objects is
/// resolved once instead of once per object.
///
/// In a pack, similar files are stored as deltas of each other in chains up to 50 deep, and a base is often the
/// result of another delta: without a cache, reading N files of a chain inflates its base N times. The cache
/// holds whole objects (arrays shared with what the reader returned, so a hit copies nothing) up to a byte
/// budget, approximating least-recently-used eviction with two generations: new and re-used objects go into
/// the young generation; when it holds half the budget, it becomes the old one and the previous old one is
/// dropped. There is no list to maintain, and each generation is a small open-addressing table, because a
/// `Dictionary`'s seeded hashing costs more than the rest of a cache hit.
struct DeltaBaseCache {
    /// Where an object is stored: which opened pack (a serial number never re-used, so that a pack re-opened
    /// after a rescan can never be confused with another) and the entry's offset in it.
    struct Key: Hashable {
        var pack: Int
        var offset: Int
    }

    /// The most bytes held at once, across both generations.
    let capacity: Int
    private var young = ObjectTable()
    private var old = ObjectTable()
    private var youngBytes = 0
    private var youngCount = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 0)
    }

    /// The object stored at `key`, if it is still cached.
    mutating func object(at key: Key) -> PackedObject? {
        if let object = young.find(key) { return object }
        guard let object = old.find(key) else { return nil }
        // Used again: keep it through the next turnover. The old table's reference goes with that table.
        insert(object, at: key)
        return object
    }

    /// Remembers an object; objects over a quarter of the budget are not kept, so that one large file cannot
    /// push out a whole directory of small ones.
    mutating func insert(_ object: PackedObject, at key: Key) {
        let size = object.bytes.count
        guard size <= capacity / 4 else { return }
        if youngBytes + size > capacity / 2 {
            old = young
            // Sized like the generation it replaces, which is about as many objects as the next one will hold.
            young = ObjectTable(slots: old.slots)
            youngBytes = 0
            youngCount = 0
        }
        if (youngCount + 1) * 4 > young.slots * 3 { young = young.grown() }
        if young.insert(object, at: key) {
            youngBytes += size
            youngCount += 1
        }
    }

    /// Forgets everything.
    mutating func removeAll() {
        young = ObjectTable()
        old = ObjectTable()
        youngBytes = 0
        youngCount = 0
    }
}

/// A hash table from pack locations to objects: open addressing, linear probing, keys hashed by one
/// multiplication (Fibonacci hashing). Entries are only added; the table is dropped whole.
///
/// Its size is fixed: the cache keeps it at most three quarters full by moving to a table twice as large
/// (`grown()`). With only constant stored properties, lookups need no exclusivity checks, which a dictionary
/// or a growable table in a class would pay on every access. A class so that the cache can swap generations
/// by reference; not thread-safe, like its owner.
private final class ObjectTable {
    /// Keys, with `pack == -1` marking a free slot; objects are initialised exactly where keys are used.
    private let keys: UnsafeMutablePointer<DeltaBaseCache.Key>
    private let objects: UnsafeMutablePointer<PackedObject>
    /// How many slots the table has: a power of two.
    let slots: Int
    /// 64 minus log2(slots): the hash's top bits pick the slot.
    private let shift: Int

    private static let free = DeltaBaseCache.Key(pack: -1, offset: 0)

    /// An empty table of `slots` slots, rounded up to a power of two; 1,024 by default (growing rehashes
    /// everything into fresh memory, which costs more than the lookups, so it should be rare).
    init(slots: Int = 1024) {
        self.slots = max(16, 1 << (Int.bitWidth - (slots - 1).leadingZeroBitCount))
        shift = Int.bitWidth - self.slots.trailingZeroBitCount
        keys = .allocate(capacity: self.slots)
        keys.initialize(repeating: ObjectTable.free, count: self.slots)
        objects = .allocate(capacity: self.slots)
    }

    deinit {
        for slot in 0..<slots where keys[slot].pack >= 0 {
            (objects + slot).deinitialize(count: 1)
        }
        keys.deallocate()
        objects.deallocate()
    }

    func find(_ key: DeltaBaseCache.Key) -> PackedObject? {
        var slot = home(key)
        while true {
            let stored = keys[slot]
            if stored == key { return objects[slot] }
            if stored.pack < 0 { return nil }
            slot = (slot + 1) & (slots - 1)
        }
    }

    /// Stores `object` at `key`, replacing what was there; returns whether the key is new.
    ///
    /// - Precondition: the table has a free slot (the cache grows it before it is three quarters full).
    @discardableResult
    func insert(_ object: PackedObject, at key: DeltaBaseCache.Key) -> Bool {
        var slot = home(key)
        while true {
            let stored = keys[slot]
            if stored == key {
                objects[slot] = object
                return false
            }
            if stored.pack < 0 {
                keys[slot] = key
                (objects + slot).initialize(to: object)
                return true
            }
            slot = (slot + 1) & (slots - 1)
        }
    }

    /// A table twice as large holding every entry of this one, which is left empty.
    func grown() -> ObjectTable {
        let larger = ObjectTable(slots: slots * 2)
        for slot in 0..<slots where keys[slot].pack >= 0 {
            var target = larger.home(keys[slot])
            while larger.keys[target].pack >= 0 { target = (target + 1) & (larger.slots - 1) }
            larger.keys[target] = keys[slot]
            (larger.objects + target).moveInitialize(from: objects + slot, count: 1)
            keys[slot] = ObjectTable.free
        }
        return larger
    }

    private func home(_ key: DeltaBaseCache.Key) -> Int {
        let mixed = UInt(bitPattern: key.offset &* 31 &+ key.pack) &* 0x9E37_79B9_7F4A_7C15
        return Int(mixed >> UInt(shift))
    }
}
