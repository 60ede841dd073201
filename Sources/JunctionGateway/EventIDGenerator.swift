import JunctionWire

/// Makes event ids in the UUID version 7 layout (RFC 9562): 48 bits of Unix
/// milliseconds, then random bits, written as 36 lowercase hex characters.
/// Ids made by one generator sort by creation time. Not thread-safe: one per
/// worker.
struct EventIDGenerator {
    static let length = 36
    private var state: UInt64

    init() {
        var seed = UInt64(0)
        while seed == 0 { seed = UInt64.random(in: 1...UInt64.max) }
        state = seed
    }

    /// xorshift64*: fast, and ids need uniqueness, not secrecy.
    private mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545F4914F6CDD1D
    }

    mutating func write(into w: inout ProtoWriter, nowNanos: Int64) {
        let millis = UInt64(nowNanos / 1_000_000) & 0xFFFF_FFFF_FFFF
        let r1 = next()
        let r2 = next()
        let high = millis << 16 | 0x7000 | (r1 & 0x0FFF)
        let low = (r2 & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let hex: StaticString = "0123456789abcdef"
        func put(_ value: UInt64, nibbles: Int, _ w: inout ProtoWriter) {
            var shift = (nibbles - 1) * 4
            while shift >= 0 {
                w.byte(hex.utf8Start[Int((value >> UInt64(shift)) & 0xF)])
                shift -= 4
            }
        }
        put(high >> 32, nibbles: 8, &w)
        w.byte(UInt8(ascii: "-"))
        put((high >> 16) & 0xFFFF, nibbles: 4, &w)
        w.byte(UInt8(ascii: "-"))
        put(high & 0xFFFF, nibbles: 4, &w)
        w.byte(UInt8(ascii: "-"))
        put(low >> 48, nibbles: 4, &w)
        w.byte(UInt8(ascii: "-"))
        put(low & 0xFFFF_FFFF_FFFF, nibbles: 12, &w)
    }
}
