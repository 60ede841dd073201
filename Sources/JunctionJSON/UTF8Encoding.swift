/// UTF-8 encoding of one Unicode scalar value, for the JSON readers that
/// decode `\u` escapes (the parser here, the pattern matcher's field views,
/// the schema recognizer).
public enum UTF8Encoding {
    /// Calls `emit` with the 1 to 4 UTF-8 bytes of `scalar` (a valid scalar:
    /// not a surrogate, at most 0x10FFFF).
    @inlinable @inline(__always)
    public static func encode(_ scalar: UInt32, _ emit: (UInt8) -> Void) {
        switch scalar {
        case 0..<0x80:
            emit(UInt8(scalar))
        case 0x80..<0x800:
            emit(UInt8(0xC0 | scalar >> 6))
            emit(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            emit(UInt8(0xE0 | scalar >> 12))
            emit(UInt8(0x80 | scalar >> 6 & 0x3F))
            emit(UInt8(0x80 | scalar & 0x3F))
        default:
            emit(UInt8(0xF0 | scalar >> 18))
            emit(UInt8(0x80 | scalar >> 12 & 0x3F))
            emit(UInt8(0x80 | scalar >> 6 & 0x3F))
            emit(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
