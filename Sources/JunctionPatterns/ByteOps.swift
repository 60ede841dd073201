/// Small byte-slice helpers used by matchers.
enum ByteOps {
    @inline(__always)
    static func hasPrefix(_ value: UnsafeRawBufferPointer, _ prefix: [UInt8]) -> Bool {
        if prefix.count > value.count { return false }
        for index in 0..<prefix.count where value[index] != prefix[index] { return false }
        return true
    }

    @inline(__always)
    static func hasSuffix(_ value: UnsafeRawBufferPointer, _ suffix: [UInt8]) -> Bool {
        if suffix.count > value.count { return false }
        let offset = value.count - suffix.count
        for index in 0..<suffix.count where value[offset + index] != suffix[index] { return false }
        return true
    }

    @inline(__always)
    static func equal(_ value: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
        value.count == other.count && hasPrefix(value, other)
    }

    /// A fast 64-bit hash of `bytes` mixed with `seed` (8 bytes per step).
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var h = seed &+ 0x9E37_79B9_7F4A_7C15 &+ UInt64(bytes.count)
        var index = 0
        let count = bytes.count
        if let base = bytes.baseAddress {
            while index + 8 <= count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
                index += 8
            }
            if index < count {
                let tail = partialWord(base + index, count - index)
                h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
            }
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }

    /// The `count` (1...7) bytes at `base` as a little-endian word, zero-padded: two overlapping
    /// loads instead of a loop over the bytes, reading nothing outside them.
    @inline(__always)
    static func partialWord(_ base: UnsafeRawPointer, _ count: Int) -> UInt64 {
        if count >= 4 {
            let low = UInt64(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            // The overlapping bytes are the same in both halves, so or-ing them is harmless.
            return low | high << UInt64(8 * (count - 4))
        }
        let first = UInt64(base.load(as: UInt8.self))
        let middle = UInt64(base.load(fromByteOffset: count >> 1, as: UInt8.self))
        let last = UInt64(base.load(fromByteOffset: count - 1, as: UInt8.self))
        return first | middle << UInt64(8 * (count >> 1)) | last << UInt64(8 * (count - 1))
    }

    static func hash(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }
}
