/// A cursor over protobuf binary encoding. It never allocates and never reads out of bounds: every
/// read checks the remaining length and throws a typed ``ProtoWireError`` (no existential box).
///
/// The reader does not own its bytes: the buffer must stay valid while the reader is used.
public struct ProtoWireReader {
    let base: UnsafeRawPointer?
    let end: Int
    /// Offset of the next byte to read, relative to the start of the buffer.
    public private(set) var offset: Int
    /// Offset added to error positions (for readers over a sub-range of a larger buffer).
    public let baseOffset: Int

    /// Creates a reader over `bytes`. `baseOffset` is added to offsets reported in errors.

    public init(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.base = bytes.baseAddress
        self.end = bytes.count
        self.offset = 0
        self.baseOffset = baseOffset
    }

    /// True when every byte has been consumed.
    public var isAtEnd: Bool { offset >= end }

    /// Number of bytes left.
    public var remaining: Int { end - offset }

    /// Reads a base-128 varint of at most 10 bytes.

    public mutating func readVarint() throws(ProtoWireError) -> UInt64 {
        guard let base else { throw ProtoWireError(.truncated, offset: baseOffset + offset) }
        var i = offset
        // Fast path: one byte.
        if i < end {
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            if b < 0x80 { offset = i + 1; return UInt64(b) }
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard i < end else { throw ProtoWireError(.truncated, offset: baseOffset + offset) }
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            i += 1
            if shift == 63 {
                // 10th byte: only the lowest bit fits in 64 bits, and it must be the last byte.
                if b > 1 { throw ProtoWireError(.varintOverflow, offset: baseOffset + offset) }
                result |= UInt64(b) << 63
                break
            }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        offset = i
        return result
    }

    /// Reads a tag and splits it into field number and wire type, rejecting field number 0,
    /// numbers above 2^29-1 and wire types 6 and 7.

    public mutating func readTag() throws(ProtoWireError) -> (fieldNumber: UInt32, wireType: ProtoWireType) {
        let start = offset
        let raw = try readVarint()
        let number = raw >> 3
        guard number >= 1, number <= 0x1FFF_FFFF else {
            throw ProtoWireError(.invalidFieldNumber(number), offset: baseOffset + start)
        }
        guard let wt = ProtoWireType(rawValue: UInt8(truncatingIfNeeded: raw & 7)) else {
            throw ProtoWireError(.invalidWireType(UInt8(truncatingIfNeeded: raw & 7)), offset: baseOffset + start)
        }
        return (UInt32(truncatingIfNeeded: number), wt)
    }

    /// Reads 4 little-endian bytes.

    public mutating func readFixed32() throws(ProtoWireError) -> UInt32 {
        guard let base, end - offset >= 4 else { throw ProtoWireError(.truncated, offset: baseOffset + offset) }
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset += 4
        return UInt32(littleEndian: v)
    }

    /// Reads 8 little-endian bytes.

    public mutating func readFixed64() throws(ProtoWireError) -> UInt64 {
        guard let base, end - offset >= 8 else { throw ProtoWireError(.truncated, offset: baseOffset + offset) }
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return UInt64(littleEndian: v)
    }

    /// Reads a length prefix and returns the payload (a view into the same buffer) and its offset.

    public mutating func readLengthDelimited() throws(ProtoWireError) -> (bytes: UnsafeRawBufferPointer, offset: Int) {
        let start = offset
        let length = try readVarint()
        guard length <= UInt64(end - offset) else {
            throw ProtoWireError(.lengthOutOfBounds(length), offset: baseOffset + start)
        }
        let n = Int(length)
        let payloadOffset = offset
        offset += n
        guard let base else { return (UnsafeRawBufferPointer(start: nil, count: 0), baseOffset + payloadOffset) }
        return (UnsafeRawBufferPointer(start: base + payloadOffset, count: n), baseOffset + payloadOffset)
    }

    /// Skips `count` bytes.

    public mutating func skip(_ count: Int) throws(ProtoWireError) {
        guard count >= 0, end - offset >= count else { throw ProtoWireError(.truncated, offset: baseOffset + offset) }
        offset += count
    }

    /// Skips the value of a field with `wireType` whose tag was just read. Groups are skipped up to their
    /// matching end-group tag, at most `maxGroupDepth` levels deep.
    public mutating func skipValue(
        wireType: ProtoWireType, fieldNumber: UInt32, maxGroupDepth: Int = 64
    ) throws(ProtoWireError) {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: try skip(8)
        case .fixed32: try skip(4)
        case .lengthDelimited: _ = try readLengthDelimited()
        case .endGroup: throw ProtoWireError(.invalidWireType(4), offset: baseOffset + offset)
        case .startGroup:
            guard maxGroupDepth > 0 else { throw ProtoWireError(.truncated, offset: baseOffset + offset) }
            while true {
                let tagOffset = offset
                let (n, wt) = try readTag()
                if wt == .endGroup {
                    guard n == fieldNumber else {
                        throw ProtoWireError(.invalidFieldNumber(UInt64(n)), offset: baseOffset + tagOffset)
                    }
                    return
                }
                try skipValue(wireType: wt, fieldNumber: n, maxGroupDepth: maxGroupDepth - 1)
            }
        }
    }
}
