/// A cursor over JSON bytes for the event flattener.
struct JSONReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have no base address; any non-null pointer works as nothing is read.
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 8)!
        end = bytes.count
    }

    func error(_ message: String) -> PatternEventError {
        PatternEventError(offset: index, message: message)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < end {
            let byte = base[index]
            if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 } else { return }
        }
    }

    @inline(__always)
    static func isNumberByte(_ c: UInt8) -> Bool {
        (c &- 0x30) < 10 || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c | 0x20 == UInt8(ascii: "e")
    }

    mutating func literal(_ text: StaticString) throws(PatternEventError) {
        let count = text.utf8CodeUnitCount
        guard index + count <= end, memcmpBytes(text.utf8Start, UnsafeRawPointer(base + index), count) else {
            throw error("invalid literal")
        }
        index += count
    }

    /// Scans a string whose opening quote is at `index`; returns the content range and whether it has
    /// escapes, leaving `index` after the closing quote.
    @inline(__always)
    mutating func scanString() throws(PatternEventError) -> (start: Int, stop: Int, escaped: Bool) {
        index += 1
        let start = index
        var escaped = false
        var position = index
        while true {
            guard position < end else {
                index = start - 1
                throw error("unterminated string")
            }
            let c = base[position]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") { escaped = true; position += 2 } else { position += 1 }
        }
        index = position + 1
        return (start, position, escaped)
    }

    /// Skips any value without decoding it.
    mutating func skipValue() throws(PatternEventError) {
        guard index < end else { throw error("expected a value, found end of input") }
        switch base[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer()
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            index += 1
            while index < end, JSONReader.isNumberByte(base[index]) { index += 1 }
        default:
            throw error("expected a value")
        }
    }

    /// High bit of each byte of `word` that equals `byte` (exact, no false positives).
    @inline(__always)
    static func equalMask(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let t = word ^ (UInt64(byte) &* 0x0101_0101_0101_0101)
        let y = (t & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F
        return ~(y | t | 0x7F7F_7F7F_7F7F_7F7F)
    }

    /// Whether every byte of `word` is in 0x2C...0x39 (`,` `-` `.` `/` and digits): the bulk of
    /// numeric arrays, skipped without further tests.
    @inline(__always)
    static func isNumberText(_ word: UInt64) -> Bool {
        let high: UInt64 = 0x8080_8080_8080_8080
        let atLeast = (word | high) &- 0x2C2C_2C2C_2C2C_2C2C          // high bit kept when byte >= 0x2C
        let atMost = 0xB9B9_B9B9_B9B9_B9B9 &- (word & ~high) // high bit kept when byte <= 0x39
        return atLeast & atMost & ~word & high == high
    }

    /// Skips an object or array (at `index`) by counting brackets outside strings, eight bytes at a
    /// time: quotes, brackets and backslashes are found with word operations, strings are masked by a
    /// prefix XOR of the quote positions, and the depth only needs a byte-by-byte look in a word where
    /// it could reach zero.
    mutating func skipContainer() throws(PatternEventError) {
        let start = index
        var depth = 1
        var position = index + 1
        var inString = false
        let bytes = base
        let limit = end
        while position + 8 <= limit {
            let word = UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt64.self)
            if !inString, JSONReader.isNumberText(word) {
                // Digits, '.', '-', ',' and '/' only: nothing that changes the depth or the string state.
                position += 8
                continue
            }
            let backslashes = JSONReader.equalMask(word, 0x5C)
            if backslashes == 0 {
                let quotes = JSONReader.equalMask(word, 0x22)
                let folded = word | 0x2020_2020_2020_2020
                var opens = JSONReader.equalMask(folded, 0x7B)
                var closes = JSONReader.equalMask(folded, 0x7D)
                if quotes == 0 {
                    if inString { position += 8; continue }
                } else {
                    // Bytes inside a string (or on its opening quote): prefix XOR of quote bits.
                    var inside = quotes
                    inside ^= inside << 8
                    inside ^= inside << 16
                    inside ^= inside << 32
                    if inString { inside = ~inside }
                    inside &= 0x8080_8080_8080_8080
                    opens &= ~inside
                    closes &= ~inside
                    let nextInString = inside >> 63 == 1
                    let closeCount = closes.nonzeroBitCount
                    if depth > closeCount {
                        depth += opens.nonzeroBitCount - closeCount
                        inString = nextInString
                        position += 8
                        continue
                    }
                    // The container may end in this word: fall through to the byte loop.
                    if let found = JSONReader.scanBytes(bytes, from: position, to: position + 8, depth: &depth, inString: &inString) {
                        index = found
                        return
                    }
                    position += 8
                    continue
                }
                let closeCount = closes.nonzeroBitCount
                if depth > closeCount {
                    depth += opens.nonzeroBitCount - closeCount
                    position += 8
                    continue
                }
            }
            // Escapes, or a possible end: byte by byte. A backslash may escape the first byte of the
            // next word, so the byte loop may stop one byte past the word.
            var escapeCarry = false
            if let found = JSONReader.scanBytes(bytes, from: position, to: position + 8, depth: &depth, inString: &inString, escapeCarry: &escapeCarry) {
                index = found
                return
            }
            position += escapeCarry ? 9 : 8
        }
        var escapeCarry = false
        if position < limit, let found = JSONReader.scanBytes(bytes, from: position, to: limit, depth: &depth, inString: &inString, escapeCarry: &escapeCarry) {
            index = found
            return
        }
        index = start
        throw error("unterminated object or array")
    }

    /// Byte-by-byte bracket counting over `from..<to`; returns the offset after the closing bracket
    /// when the depth reaches zero.
    @inline(__always)
    static func scanBytes(_ bytes: UnsafePointer<UInt8>, from: Int, to: Int, depth: inout Int, inString: inout Bool) -> Int? {
        var carry = false
        return scanBytes(bytes, from: from, to: to, depth: &depth, inString: &inString, escapeCarry: &carry)
    }

    @inline(__always)
    static func scanBytes(_ bytes: UnsafePointer<UInt8>, from: Int, to: Int, depth: inout Int, inString: inout Bool, escapeCarry: inout Bool) -> Int? {
        var position = from
        while position < to {
            let c = bytes[position]
            if inString {
                if c == 0x5C {
                    position += 2
                    if position > to { escapeCarry = true }
                    continue
                }
                if c == 0x22 { inString = false }
            } else if c == 0x22 {
                inString = true
            } else if c | 0x20 == 0x7B {
                depth += 1
            } else if c | 0x20 == 0x7D {
                depth -= 1
                if depth == 0 { return position + 1 }
            }
            position += 1
        }
        return nil
    }
}
