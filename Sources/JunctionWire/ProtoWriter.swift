/// Writes protobuf wire format into memory the caller reserved.
///
/// Frames are encoded in two passes: the caller computes the exact size with
/// the `ProtoSize` functions (so every length prefix is known up front), then
/// writes once into a buffer of that size. No intermediate copies, no
/// allocation, and the output is what protobuf-c's generated code parses
/// (the tests check every encoder against it).
public struct ProtoWriter {
    public var pointer: UnsafeMutableRawPointer
    public let end: UnsafeMutableRawPointer

    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.pointer = buffer.baseAddress!
        self.end = buffer.baseAddress! + buffer.count
    }

    /// Bytes written so far relative to `start`.
    @inlinable public func written(since start: UnsafeMutableRawPointer) -> Int { pointer - start }

    @inlinable public mutating func byte(_ b: UInt8) {
        assert(pointer < end, "ProtoWriter overflow")
        pointer.storeBytes(of: b, as: UInt8.self)
        pointer += 1
    }

    @inlinable public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(v))
    }

    @inlinable public mutating func tag(_ field: UInt32, _ wireType: UInt32) {
        varint(UInt64(field << 3 | wireType))
    }

    @inlinable public mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        assert(end - pointer >= bytes.count, "ProtoWriter overflow")
        pointer.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        pointer += bytes.count
    }

    // MARK: fields (proto3: default values are not written)

    @inlinable public mutating func uint64Field(_ field: UInt32, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 0)
        varint(value)
    }

    @inlinable public mutating func int64Field(_ field: UInt32, _ value: Int64) {
        uint64Field(field, UInt64(bitPattern: value))
    }

    @inlinable public mutating func boolField(_ field: UInt32, _ value: Bool) {
        guard value else { return }
        tag(field, 0)
        byte(1)
    }

    /// A length-delimited field whose bytes are written as they are.
    @inlinable public mutating func bytesField(_ field: UInt32, _ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        tag(field, 2)
        varint(UInt64(bytes.count))
        raw(bytes)
    }

    /// A string field (UTF-8 bytes of `value`).
    @inlinable public mutating func stringField(_ field: UInt32, _ value: String) {
        guard !value.isEmpty else { return }
        var value = value
        value.withUTF8 { bytesField(field, UnsafeRawBufferPointer($0)) }
    }

    /// The header of a length-delimited field whose `length` bytes the caller
    /// writes next (a nested message). Written even when `length` is 0 when
    /// `always` is set, because an empty message still selects a oneof member.
    @inlinable public mutating func messageHeader(_ field: UInt32, length: Int) {
        tag(field, 2)
        varint(UInt64(length))
    }
}

/// Sizes of protobuf wire encodings, for the first pass of `ProtoWriter`.
public enum ProtoSize {
    @inlinable public static func varint(_ value: UInt64) -> Int {
        // 1 byte per 7 bits, at least 1.
        let bits = 64 - value.leadingZeroBitCount
        return bits == 0 ? 1 : (bits + 6) / 7
    }

    @inlinable public static func tag(_ field: UInt32) -> Int { varint(UInt64(field << 3)) }

    @inlinable public static func uint64Field(_ field: UInt32, _ value: UInt64) -> Int {
        value == 0 ? 0 : tag(field) + varint(value)
    }

    @inlinable public static func int64Field(_ field: UInt32, _ value: Int64) -> Int {
        uint64Field(field, UInt64(bitPattern: value))
    }

    @inlinable public static func boolField(_ field: UInt32, _ value: Bool) -> Int {
        value ? tag(field) + 1 : 0
    }

    @inlinable public static func bytesField(_ field: UInt32, count: Int) -> Int {
        count == 0 ? 0 : tag(field) + varint(UInt64(count)) + count
    }

    @inlinable public static func stringField(_ field: UInt32, _ value: String) -> Int {
        bytesField(field, count: value.utf8.count)
    }

    /// A nested message that is always written (even when empty).
    @inlinable public static func messageField(_ field: UInt32, length: Int) -> Int {
        tag(field) + varint(UInt64(length)) + length
    }
}
