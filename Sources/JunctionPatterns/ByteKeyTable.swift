/// An immutable open-addressing hash table from (32-bit tag, byte string) to an `Int32` value.
///
/// Lookups take the key as an `UnsafeRawBufferPointer`, so matching never builds a Swift `String` or
/// array. Each slot holds the full hash, tag, key location and value inline (24 bytes), so a lookup
/// touches one slot and, on a hash hit, the key bytes: two cache lines for tables of any size. Used
/// for exact values, case-folded values, prefixes and suffixes, networks, and the path table.
struct ByteKeyTable: @unchecked Sendable { // immutable after init; the pointers are owned by `storage`, which it keeps alive
    /// Owns the slot and key memory (freed when the last table value referring to it goes away).
    final class Storage: @unchecked Sendable { // written only in ByteKeyTable.init, read-only afterwards
        let slots: UnsafeMutableBufferPointer<Slot>
        let keyBytes: UnsafeMutableBufferPointer<UInt8>

        init(slots: [Slot], keyBytes: [UInt8]) {
            self.slots = HugePages.allocate(Slot.self, count: slots.count)
            _ = self.slots.initialize(from: slots)
            self.keyBytes = .allocate(capacity: max(keyBytes.count, 1))
            _ = self.keyBytes.initialize(from: keyBytes)
        }

        deinit {
            HugePages.deallocate(slots)
            keyBytes.deallocate()
        }
    }

    struct Slot: Sendable {
        var hash: UInt64
        /// The first (up to) 8 key bytes, zero-padded: most keys are compared without leaving the slot.
        var prefix: UInt64
        var tag: UInt32
        /// `UInt32.max` marks an empty slot.
        var length: UInt32
        /// Where bytes 8... of a longer key are in `keyBytes`.
        var start: Int32
        var value: Int32
    }

    /// Keeps the slot and key memory alive: a ``Storage`` of its own, or the automaton's ``Slab``.
    private let owner: AnyObject
    // Plain pointers into `storage`, so that lookups do no reference counting.
    private let slots: UnsafePointer<Slot>
    private let slotCount: Int
    private let mask: Int
    private let keyBytes: UnsafePointer<UInt8>
    private let keyByteCount: Int
    let count: Int

    /// Whether the table is empty.
    var isEmpty: Bool { count == 0 }

    /// Tables of at most this many keys keep just their occupied slots and are scanned: comparing a
    /// few slots' first-8-byte words costs less than hashing the key.
    static let scanLimit = 8

    /// Builds a table; later duplicates of a (tag, key) replace earlier ones. With a `slab`, the table's
    /// memory comes from it (and lives as long as it).
    init(_ entries: [(tag: UInt32, key: [UInt8], value: Int32)], slab: Slab? = nil) {
        var capacity = entries.isEmpty ? 1 : 4
        while capacity < entries.count * 2 { capacity <<= 1 }
        var slots = [Slot](repeating: Slot(hash: 0, prefix: 0, tag: 0, length: UInt32.max, start: 0, value: -1), count: capacity)
        var keyBytes: [UInt8] = []
        var count = 0
        let mask = capacity - 1
        for entry in entries {
            let hash = ByteOps.hash(entry.key, seed: UInt64(entry.tag))
            var slot = Int(truncatingIfNeeded: hash) & mask
            var replaced = false
            while slots[slot].length != UInt32.max {
                let existing = slots[slot]
                if existing.hash == hash, existing.tag == entry.tag, Int(existing.length) == entry.key.count,
                   existing.prefix == ByteKeyTable.prefixWord(entry.key),
                   entry.key.count <= 8 || keyBytes[Int(existing.start)..<Int(existing.start) + entry.key.count - 8].elementsEqual(entry.key[8...]) {
                    slots[slot].value = entry.value
                    replaced = true
                    break
                }
                slot = (slot + 1) & mask
            }
            if replaced { continue }
            slots[slot] = Slot(hash: hash, prefix: ByteKeyTable.prefixWord(entry.key), tag: entry.tag,
                               length: UInt32(entry.key.count), start: Int32(keyBytes.count), value: entry.value)
            if entry.key.count > 8 { keyBytes.append(contentsOf: entry.key[8...]) }
            count += 1
        }
        if count <= ByteKeyTable.scanLimit {
            // Scanned, not hashed: only the occupied slots, in any order (keys are unique).
            let occupied = slots.filter { $0.length != UInt32.max }
            slots = occupied.isEmpty ? [slots[0]] : occupied
        }
        if let slab {
            let slotMemory = slab.allocate(Slot.self, count: slots.count)
            slotMemory.initialize(from: slots, count: slots.count)
            let keyMemory = slab.allocate(UInt8.self, count: max(keyBytes.count, 1))
            keyMemory.initialize(from: keyBytes, count: keyBytes.count)
            owner = slab
            self.slots = UnsafePointer(slotMemory)
            self.keyBytes = UnsafePointer(keyMemory)
        } else {
            let storage = Storage(slots: slots, keyBytes: keyBytes)
            owner = storage
            self.slots = UnsafePointer(storage.slots.baseAddress!)
            self.keyBytes = UnsafePointer(storage.keyBytes.baseAddress!)
        }
        self.slotCount = slots.count
        self.mask = mask
        self.keyByteCount = keyBytes.count
        self.count = count
    }

    /// The value for (tag, key), or -1 (so -1 cannot be stored as a value).
    @inline(__always)
    func lookup(tag: UInt32, key: UnsafeRawBufferPointer) -> Int32 {
        if count <= ByteKeyTable.scanLimit { return scan(tag: tag, key: key) }
        return probe(tag: tag, key: key, hash: ByteOps.hash(key, seed: UInt64(tag)))
    }

    /// The value for (tag, key) in a table of at most ``scanLimit`` keys, or -1.
    @inline(__always)
    private func scan(tag: UInt32, key: UnsafeRawBufferPointer) -> Int32 {
        let word = ByteKeyTable.prefixWord(key)
        for index in 0..<count {
            let slot = slots[index]
            if slot.prefix == word, Int(slot.length) == key.count, slot.tag == tag {
                if key.count <= 8 { return slot.value }
                if memcmpBytes(keyBytes + Int(slot.start), key.baseAddress! + 8, key.count - 8) { return slot.value }
            }
        }
        return -1
    }

    /// The value for (tag, key) with its hash in a hashed table, or -1.
    @inline(__always)
    private func probe(tag: UInt32, key: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.length == UInt32.max { return -1 }
            if slot.hash == hash, slot.tag == tag, Int(slot.length) == key.count, slot.prefix == ByteKeyTable.prefixWord(key) {
                if key.count <= 8 { return slot.value }
                if memcmpBytes(keyBytes + Int(slot.start), key.baseAddress! + 8, key.count - 8) { return slot.value }
            }
            index = (index + 1) & mask
        }
    }

    /// The first (up to) 8 bytes as a little-endian word, zero-padded.
    @inline(__always)
    static func prefixWord(_ key: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = key.baseAddress, key.count > 0 else { return 0 }
        if key.count >= 8 { return base.loadUnaligned(as: UInt64.self) }
        return ByteOps.partialWord(base, key.count)
    }

    static func prefixWord(_ key: [UInt8]) -> UInt64 {
        key.withUnsafeBytes { prefixWord($0) }
    }

    /// Bytes held by the table's storage (0 when it lives in a slab, which is counted as a whole).
    var memoryBytes: Int {
        owner is Slab ? 0 : slotCount * MemoryLayout<Slot>.stride + keyByteCount + 48
    }
}

@inline(__always)
func memcmpBytes(_ left: UnsafePointer<UInt8>, _ right: UnsafeRawPointer, _ count: Int) -> Bool {
    var index = 0
    while index + 8 <= count {
        if UnsafeRawPointer(left).loadUnaligned(fromByteOffset: index, as: UInt64.self) != right.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
        index += 8
    }
    while index < count {
        if left[index] != right.load(fromByteOffset: index, as: UInt8.self) { return false }
        index += 1
    }
    return true
}
