/// Reads protobuf wire format field by field without decoding messages:
/// for tools that need one field out of many (the benchmark reads each
/// delivered event's time). Bounds-checked; a malformed input ends the scan.
///
/// Inlinable: the client and the benchmark call it a few times per event
/// from other modules, where a call per field cost more than the scan.
public struct WireScanner {
    public let bytes: UnsafeRawBufferPointer
    @usableFromInline var position = 0

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Bytes consumed so far.
    @inlinable public var offset: Int { position }
    @inlinable public var remaining: Int { bytes.count - position }
    @inlinable public var isAtEnd: Bool { position >= bytes.count }

    /// The next varint, or nil when truncated or longer than 10 bytes.
    @inlinable @inline(__always)
    public mutating func varint() -> UInt64? {
        // Tags, lengths below 128 and small values are one byte.
        if position < bytes.count {
            let b = bytes[position]
            if b < 0x80 {
                position += 1
                return UInt64(b)
            }
        }
        return multiByteVarint()
    }

    @usableFromInline
    mutating func multiByteVarint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count, shift < 70 {
            let b = bytes[position]
            position += 1
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    /// Skips one tag (a varint).
    @inlinable
    public mutating func skipTag() -> Bool { varint() != nil }

    /// The next field: its number, wire type, and for length-delimited
    /// fields the bytes; for varints the value. Nil at the end or on
    /// malformed input.
    @inlinable @inline(__always)
    public mutating func next() -> (field: UInt32, wireType: UInt8, value: UInt64, bytes: UnsafeRawBufferPointer)? {
        guard position < bytes.count, let key = varint() else { return nil }
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
            for i in 0..<n { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
            position += n
            return (field, type, v, UnsafeRawBufferPointer(start: nil, count: 0))
        case 2:
            guard let length = varint(), length <= UInt64(remaining) else { return nil }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + Int(length))])
            position += Int(length)
            return (field, type, length, slice)
        default:
            return nil
        }
    }
}
