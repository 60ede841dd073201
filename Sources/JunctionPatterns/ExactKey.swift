/// Canonical bytes for exact-value comparison: a type tag, then the payload. Strings carry their
/// UTF-8 bytes; numbers the 8 little-endian bytes of their `Double` value (with -0 folded into 0), so
/// `35`, `35.0` and `3.5e1` share a key while the string `"35"` does not.
enum ExactKey {
    static func string<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        [PatternValueType.string.rawValue] + bytes
    }

    static func number(_ value: Double) -> [UInt8] {
        var key: [UInt8] = [PatternValueType.number.rawValue]
        var bits = normalizedBits(value)
        for _ in 0..<8 {
            key.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
        return key
    }

    static func literal(_ type: PatternValueType) -> [UInt8] {
        [type.rawValue]
    }

    /// The bit pattern used for a number key: -0 becomes 0, every NaN the same NaN.
    @inline(__always)
    static func normalizedBits(_ value: Double) -> UInt64 {
        if value == 0 { return 0 }
        if value.isNaN { return Double.nan.bitPattern }
        return value.bitPattern
    }

    /// A readable rendering of a key for canonical matcher descriptions and error messages.
    static func describe(_ key: [UInt8]) -> String {
        guard let tag = key.first, let type = PatternValueType(rawValue: tag) else { return "?" }
        switch type {
        case .string: return "\"" + String(decoding: key.dropFirst(), as: UTF8.self) + "\""
        case .number:
            var bits: UInt64 = 0
            for (shift, byte) in key.dropFirst().enumerated() { bits |= UInt64(byte) << (8 * UInt64(shift)) }
            return "\(Double(bitPattern: bits))"
        case .true: return "true"
        case .false: return "false"
        case .null: return "null"
        }
    }
}
