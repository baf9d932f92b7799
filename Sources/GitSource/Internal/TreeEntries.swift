/// Reads a tree object's raw bytes into entries, as `TreeObject.entries()` reads them through libgit2.
///
/// The manifest walk reads every tree under `--path`; parsing the bytes the pack reader already has avoids
/// libgit2's object lookup, cache and per-entry string copies. A tree is a sequence of entries, each the
/// mode in octal ASCII, a space, the name, a NUL byte and the 20-byte object id. This parser accepts only
/// what libgit2 accepts too (plain octal modes up to 0o177777, non-empty names, whole ids); anything else is
/// reported as `.corrupt` and the caller reads the tree through libgit2, which reports it in its own words.
enum TreeEntries {
    static func parse(_ bytes: [UInt8]) throws(PackReadError) -> [TreeEntryInfo] {
        try bytes.withUnsafeBytes { bytes in
            Result { () throws(PackReadError) in try parse(bytes) }
        }.get()
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(PackReadError) -> [TreeEntryInfo] {
        var entries: [TreeEntryInfo] = []
        // The shortest entry is 24 bytes ("1 a", a NUL, 20 bytes of id): room for that many never regrows.
        entries.reserveCapacity(bytes.count / 24)
        var position = 0
        let end = bytes.count
        while position < end {
            var mode: UInt32 = 0
            let modeStart = position
            while position < end, bytes[position] != 0x20 {
                let digit = bytes[position]
                guard (0x30...0x37).contains(digit), mode <= 0xFFFF else { throw .corrupt("tree entry mode") }
                mode = mode << 3 | UInt32(digit - 0x30)
                position += 1
            }
            guard position > modeStart, position < end, mode <= 0xFFFF else { throw .corrupt("tree entry mode") }
            position += 1
            let nameStart = position
            while position < end, bytes[position] != 0 { position += 1 }
            let nameLength = position - nameStart
            guard position < end, nameLength > 0, nameLength <= 0xFFFF, end - (position + 1) >= 20 else {
                throw .corrupt("tree entry name or id")
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<position]), as: UTF8.self)
            // The id follows the NUL; the guard above checked all 20 bytes are there.
            let oid = ObjectID(rawBytes: bytes.baseAddress.unsafelyUnwrapped + position + 1)
            entries.append(TreeEntryInfo(name: name, kind: TreeEntryKind(mode: mode), oid: oid))
            position += 21
        }
        return entries
    }

    /// Whether a tree holds an entry with an empty name (`100644 \0` and an id), which libgit2 refuses to parse
    /// (and `git fsck` calls emptyName): lets the caller say so instead of passing on "can't parse filename".
    static func hasEmptyName(_ bytes: [UInt8]) -> Bool {
        var position = 0
        while position < bytes.count {
            guard let space = bytes[position...].firstIndex(of: 0x20), space + 1 < bytes.count else { return false }
            if bytes[space + 1] == 0 { return true }
            guard let nul = bytes[(space + 1)...].firstIndex(of: 0) else { return false }
            position = nul + 21
        }
        return false
    }
}

extension TreeEntryKind {
    /// The kind libgit2 reports for a stored mode (`git_tree_entry_filemode`), which tolerates the odd modes
    /// old git versions wrote: the directory file type (the bits of 0o170000) makes a tree;
    /// otherwise the owner-execute bit makes an (executable) blob; otherwise the gitlink type makes a
    /// submodule, the symlink type a symlink, and anything else a plain blob. `TreeEntriesTests` checks this
    /// against libgit2 itself.
    init(mode: UInt32) {
        let type = mode & 0o170000
        if type == 0o040000 {
            self = .tree
        } else if mode & 0o100 != 0 {
            self = .blob
        } else if type == 0o160000 {
            self = .submodule
        } else if type == 0o120000 {
            self = .symlink
        } else {
            self = .blob
        }
    }
}
