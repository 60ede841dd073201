// A minimal protobuf writer for building test payloads by hand (including deliberately malformed ones).
public struct ProtoTestEncoder {
    public var bytes: [UInt8] = []

    public init(bytes: [UInt8] = []) { self.bytes = bytes }

    public mutating func rawVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func tag(_ field: Int, _ wireType: UInt8) { rawVarint(UInt64(field) << 3 | UInt64(wireType)) }

    public mutating func varint(_ field: Int, _ v: UInt64) {
        tag(field, 0)
        rawVarint(v)
    }

    public mutating func int(_ field: Int, _ v: Int64) { varint(field, UInt64(bitPattern: v)) }

    public mutating func sint(_ field: Int, _ v: Int64) { varint(field, UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    public mutating func fixed32(_ field: Int, _ v: UInt32) {
        tag(field, 5)
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func fixed64(_ field: Int, _ v: UInt64) {
        tag(field, 1)
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func double(_ field: Int, _ v: Double) { fixed64(field, v.bitPattern) }

    public mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        tag(field, 2)
        rawVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    public mutating func string(_ field: Int, _ s: String) { lengthDelimited(field, Array(s.utf8)) }

    public mutating func message(_ field: Int, _ build: (inout ProtoTestEncoder) -> Void) {
        var inner = ProtoTestEncoder()
        build(&inner)
        lengthDelimited(field, inner.bytes)
    }

    public mutating func group(_ field: Int, _ build: (inout ProtoTestEncoder) -> Void) {
        tag(field, 3)
        build(&self)
        tag(field, 4)
    }

    public mutating func packedVarints(_ field: Int, _ values: [UInt64]) {
        var inner = ProtoTestEncoder()
        for v in values { inner.rawVarint(v) }
        lengthDelimited(field, inner.bytes)
    }

    public static func build(_ body: (inout ProtoTestEncoder) -> Void) -> [UInt8] {
        var e = ProtoTestEncoder()
        body(&e)
        return e.bytes
    }
}
