/// A message that travels as the one member of a ClientFrame or ServerFrame.
///
/// `frameField` is its field number in the frame's `oneof`; `bodySize` and
/// `encode(into:)` are the two passes of `ProtoWriter`.
public protocol FrameBody {
    static var frameField: UInt32 { get }
    var bodySize: Int { get }
    func encode(into writer: inout ProtoWriter)
}

extension FrameBody {
    /// Bytes of the ClientFrame/ServerFrame message holding this body.
    @inlinable public var messageSize: Int { ProtoSize.messageField(Self.frameField, length: bodySize) }

    /// Bytes of the whole frame: header and message.
    @inlinable public var frameSize: Int { FrameHeader.size + messageSize }

    /// Writes header and message into `buffer`, which must hold at least
    /// `frameSize` bytes; returns the bytes written.
    @inlinable @discardableResult
    public func writeFrame(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let body = bodySize
        let message = ProtoSize.messageField(Self.frameField, length: body)
        precondition(buffer.count >= FrameHeader.size + message, "frame buffer too small")
        FrameHeader(length: UInt32(message)).write(to: buffer.baseAddress!)
        var writer = ProtoWriter(UnsafeMutableRawBufferPointer(rebasing: buffer[FrameHeader.size...]))
        writer.messageHeader(Self.frameField, length: body)
        let start = writer.pointer
        encode(into: &writer)
        assert(writer.written(since: start) == body, "\(Self.self): bodySize \(body) but wrote \(writer.written(since: start))")
        return FrameHeader.size + message
    }

    /// The whole frame as an array (tests, tools; not the hot path).
    public func frameBytes() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: frameSize) { buffer, count in
            count = writeFrame(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }
}
