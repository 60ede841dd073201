/// Strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), allocation free.
enum UTF8Validation {
    /// Returns the offset of the first byte of the first invalid sequence, or nil when `count` bytes at `p` are valid.

    @inline(__always)
    static func firstInvalid(_ p: UnsafeRawPointer, _ count: Int) -> Int? {
        // Fast path: all ASCII (the common case for identifiers and codes) needs one OR over the bytes, with
        // overlapping loads for the tail instead of a byte loop.
        var acc: UInt64 = 0
        if count >= 8 {
            var k = 0
            while k &+ 8 <= count {
                acc |= p.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                k &+= 8
            }
            acc |= p.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        } else if count >= 4 {
            acc = UInt64(p.loadUnaligned(as: UInt32.self) | p.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
        } else {
            var k = 0
            while k < count {
                acc |= UInt64(p.load(fromByteOffset: k, as: UInt8.self))
                k &+= 1
            }
        }
        if acc & 0x8080_8080_8080_8080 == 0 { return nil }
        return firstInvalidSlow(p, count)
    }

    /// The length of the valid multi-byte sequence at offset `i` of the
    /// `count` bytes at `p` (its lead byte is not ASCII), or nil.
    @inline(__always)
    static func sequenceLength(_ p: UnsafeRawPointer, at i: Int, count: Int) -> Int? {
        let b0 = p.load(fromByteOffset: i, as: UInt8.self)
        @inline(__always) func cont(_ k: Int) -> UInt8? {
            guard i + k < count else { return nil }
            let b = p.load(fromByteOffset: i + k, as: UInt8.self)
            return b & 0xC0 == 0x80 ? b : nil
        }
        switch b0 {
        case 0xC2...0xDF:
            guard cont(1) != nil else { return nil }
            return 2
        case 0xE0...0xEF:
            guard let b1 = cont(1), cont(2) != nil else { return nil }
            if b0 == 0xE0 && b1 < 0xA0 { return nil }   // overlong
            if b0 == 0xED && b1 > 0x9F { return nil }   // surrogate
            return 3
        case 0xF0...0xF4:
            guard let b1 = cont(1), cont(2) != nil, cont(3) != nil else { return nil }
            if b0 == 0xF0 && b1 < 0x90 { return nil }   // overlong
            if b0 == 0xF4 && b1 > 0x8F { return nil }   // above U+10FFFF
            return 4
        default:
            return nil
        }
    }

    @inline(never)
    static func firstInvalidSlow(_ p: UnsafeRawPointer, _ count: Int) -> Int? {
        var i = 0
        while i < count {
            // ASCII fast path, 8 bytes at a time.
            while i + 8 <= count {
                let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if w & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            if i >= count { return nil }
            let b0 = p.load(fromByteOffset: i, as: UInt8.self)
            if b0 < 0x80 { i += 1; continue }
            guard let length = sequenceLength(p, at: i, count: count) else { return i }
            i += length
        }
        return nil
    }
}
