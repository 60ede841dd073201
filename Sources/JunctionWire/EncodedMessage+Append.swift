// Adding fields to an already encoded message (protobuf: a later scalar
// field wins, a later map entry with the same key wins, embedded messages
// merge). The gateway uses it to stamp stored events for dead letters,
// replays and forwarded copies; sizes come from `ProtoSize`, bytes from
// `ProtoWriter`, as for frames.

extension Array where Element == UInt8 {
    /// Appends `size` bytes that `body` writes with a ``ProtoWriter``.
    @inlinable
    public mutating func appendProto(size: Int, _ body: (inout ProtoWriter) -> Void) {
        guard size > 0 else { return }
        let start = count
        append(contentsOf: repeatElement(0, count: size))
        withUnsafeMutableBytes { raw in
            var w = ProtoWriter(UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
            body(&w)
            assert(w.pointer == w.end, "appendProto: \(size) bytes reserved, \(w.end - w.pointer) left unwritten")
        }
    }

    /// Appends a varint field (nothing for 0, the proto3 default).
    @inlinable
    public mutating func appendUInt64Field(_ field: UInt32, _ value: UInt64) {
        appendProto(size: ProtoSize.uint64Field(field, value)) { $0.uint64Field(field, value) }
    }

    /// Appends a length-delimited field: bytes, or an embedded message that is
    /// never empty. Nothing when `value` is empty (proto3's default for bytes;
    /// an empty embedded message would lose its presence).
    @inlinable
    public mutating func appendBytesField(_ field: UInt32, _ value: [UInt8]) {
        appendProto(size: ProtoSize.bytesField(field, count: value.count)) { w in
            value.withUnsafeBytes { w.bytesField(field, $0) }
        }
    }

    /// Appends a string field (nothing for "", the proto3 default).
    @inlinable
    public mutating func appendStringField(_ field: UInt32, _ value: String) {
        appendProto(size: ProtoSize.stringField(field, value)) { $0.stringField(field, value) }
    }

    /// Appends one entry of a `map<string, string>` field.
    @inlinable
    public mutating func appendMapEntry(_ field: UInt32, key: String, value: String) {
        let entry = ProtoSize.stringField(1, key) + ProtoSize.stringField(2, value)
        appendProto(size: ProtoSize.messageField(field, length: entry)) { w in
            w.messageHeader(field, length: entry)
            w.stringField(1, key)
            w.stringField(2, value)
        }
    }
}
