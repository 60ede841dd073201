import JunctionWire
import NIOCore

extension ByteBuffer {
    /// Appends one whole frame (header and message) for `body`.
    @inlinable
    mutating func writeFrame<Body: FrameBody>(_ body: Body) {
        let size = body.frameSize
        writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            body.writeFrame(into: raw)
        }
    }
}

extension ByteBufferAllocator {
    /// A new buffer holding one frame.
    @inlinable
    func frame<Body: FrameBody>(_ body: Body) -> ByteBuffer {
        var buffer = self.buffer(capacity: body.frameSize)
        buffer.writeFrame(body)
        return buffer
    }
}
