/// Reads protobuf wire format field by field without decoding messages:
/// for tools that need one field out of many (the benchmark reads each
/// delivered event's time). Bounds-checked; a malformed input ends the scan.
public struct WireScanner {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    /// The next varint, or nil when truncated or longer than 10 bytes.
    public mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 70 {
            let b = bytes[offset]
            offset += 1
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    /// Skips one tag (a varint).
    public mutating func skipTag() -> Bool { varint() != nil }

    /// The next field: its number, wire type, and for length-delimited
    /// fields the bytes; for varints the value. Nil at the end or on
    /// malformed input.
    public mutating func next() -> (field: UInt32, wireType: UInt8, value: UInt64, bytes: UnsafeRawBufferPointer)? {
        guard offset < bytes.count, let key = varint() else { return nil }
        let field = UInt32(truncatingIfNeeded: key >> 3)
        let type = UInt8(key & 7)
        switch type {
        case 0:
            guard let v = varint() else { return nil }
            return (field, type, v, UnsafeRawBufferPointer(start: nil, count: 0))
        case 1, 5:
            let n = type == 1 ? 8 : 4
            guard remaining >= n else { return nil }
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
            offset += n
            return (field, type, v, UnsafeRawBufferPointer(start: nil, count: 0))
        case 2:
            guard let length = varint(), length <= UInt64(remaining) else { return nil }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(length))])
            offset += Int(length)
            return (field, type, length, slice)
        default:
            return nil
        }
    }
}
