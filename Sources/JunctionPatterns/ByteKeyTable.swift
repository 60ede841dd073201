/// An immutable open-addressing hash table from (32-bit tag, byte string) to an `Int32` value.
///
/// Lookups take the key as an `UnsafeRawBufferPointer`, so matching never builds a Swift `String` or
/// array. Used for exact values, case-folded values, prefixes and suffixes, and the path table.
struct ByteKeyTable: Sendable {
    private let slots: [Int32]          // entry index + 1; 0 is empty
    private let mask: Int
    private let hashes: [UInt64]
    private let tags: [UInt32]
    private let starts: [Int32]
    private let lengths: [Int32]
    private let keyBytes: [UInt8]
    let values: [Int32]

    /// Whether the table is empty.
    var isEmpty: Bool { values.isEmpty }
    var count: Int { values.count }

    /// Builds a table; later duplicates of a (tag, key) replace earlier ones.
    init(_ entries: [(tag: UInt32, key: [UInt8], value: Int32)]) {
        var capacity = 4
        while capacity < entries.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: 0, count: capacity)
        var hashes: [UInt64] = []
        var tags: [UInt32] = []
        var starts: [Int32] = []
        var lengths: [Int32] = []
        var keyBytes: [UInt8] = []
        var values: [Int32] = []
        let mask = capacity - 1
        for entry in entries {
            let hash = ByteOps.hash(entry.key, seed: UInt64(entry.tag))
            var slot = Int(truncatingIfNeeded: hash) & mask
            var replaced = false
            while slots[slot] != 0 {
                let existing = Int(slots[slot]) - 1
                if hashes[existing] == hash, tags[existing] == entry.tag,
                   keyBytes[Int(starts[existing])..<Int(starts[existing] + lengths[existing])].elementsEqual(entry.key) {
                    values[existing] = entry.value
                    replaced = true
                    break
                }
                slot = (slot + 1) & mask
            }
            if replaced { continue }
            slots[slot] = Int32(values.count + 1)
            hashes.append(hash)
            tags.append(entry.tag)
            starts.append(Int32(keyBytes.count))
            lengths.append(Int32(entry.key.count))
            keyBytes.append(contentsOf: entry.key)
            values.append(entry.value)
        }
        self.slots = slots
        self.mask = mask
        self.hashes = hashes
        self.tags = tags
        self.starts = starts
        self.lengths = lengths
        self.keyBytes = keyBytes
        self.values = values
    }

    /// The value for (tag, key), or -1.
    @inline(__always)
    func lookup(tag: UInt32, key: UnsafeRawBufferPointer) -> Int32 {
        lookup(tag: tag, key: key, hash: ByteOps.hash(key, seed: UInt64(tag)))
    }

    /// The value for (tag, key) with a precomputed hash, or -1.
    @inline(__always)
    func lookup(tag: UInt32, key: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        slots.withUnsafeBufferPointer { slots -> Int32 in
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let entry = Int(slots[slot]) - 1
                if entry < 0 { return -1 }
                if hashes[entry] == hash, tags[entry] == tag, Int(lengths[entry]) == key.count {
                    let start = Int(starts[entry])
                    let equal = keyBytes.withUnsafeBufferPointer { bytes -> Bool in
                        if key.count == 0 { return true }
                        return memcmpBytes(bytes.baseAddress! + start, key.baseAddress!, key.count)
                    }
                    if equal { return values[entry] }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Every entry, for building derived tables.
    var entries: [(tag: UInt32, key: [UInt8], value: Int32)] {
        (0..<values.count).map { index in
            (tags[index], Array(keyBytes[Int(starts[index])..<Int(starts[index] + lengths[index])]), values[index])
        }
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
