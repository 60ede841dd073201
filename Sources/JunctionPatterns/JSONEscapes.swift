import JunctionJSON
/// Decoding of JSON string escapes for the event flattener.
enum JSONEscapes {
    /// Decodes the string content in `start..<stop` (escapes included), byte by byte. The decoded form
    /// is never longer than the source. Lone surrogates decode as U+FFFD.
    @inline(__always)
    static func decode(_ base: UnsafePointer<UInt8>, from start: Int, to stop: Int, _ emit: (UInt8) -> Void) throws(PatternEventError) {
        var position = start
        while position < stop {
            let c = base[position]
            if c != UInt8(ascii: "\\") {
                emit(c)
                position += 1
                continue
            }
            guard position + 1 < stop else { throw PatternEventError(offset: position, message: "unterminated escape") }
            let code = base[position + 1]
            position += 2
            switch code {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): emit(code)
            case UInt8(ascii: "b"): emit(0x08)
            case UInt8(ascii: "f"): emit(0x0C)
            case UInt8(ascii: "n"): emit(0x0A)
            case UInt8(ascii: "r"): emit(0x0D)
            case UInt8(ascii: "t"): emit(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(base, position, stop) else {
                    throw PatternEventError(offset: position - 2, message: "invalid \\u escape")
                }
                position += 4
                if scalar >= 0xD800, scalar <= 0xDBFF, position + 6 <= stop, base[position] == UInt8(ascii: "\\"),
                   base[position + 1] == UInt8(ascii: "u"), let low = hex4(base, position + 2, stop), low >= 0xDC00, low <= 0xDFFF {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    position += 6
                } else if scalar >= 0xD800, scalar <= 0xDFFF {
                    scalar = 0xFFFD
                }
                UTF8Encoding.encode(scalar, emit)
            default:
                throw PatternEventError(offset: position - 2, message: "invalid escape sequence")
            }
        }
    }

    @inline(__always)
    static func hex4(_ base: UnsafePointer<UInt8>, _ at: Int, _ stop: Int) -> UInt32? {
        guard at + 4 <= stop else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = IPNetwork.hexDigit(base[at + offset]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }
}
