/// The 5-byte header in front of every frame: one flag byte, then the
/// message length as an unsigned 32-bit big-endian integer.
///
/// Version 1 defines no flags: bit 0 is reserved for compression, which is
/// not supported, so a header with any flag bit set is refused.
public struct FrameHeader: Sendable, Equatable {
    /// Bytes in a header.
    public static let size = 5
    /// The default largest message a peer accepts (4 MiB).
    public static let defaultMaxFrameBytes = 4 << 20

    public var flags: UInt8
    public var length: UInt32

    public init(flags: UInt8 = 0, length: UInt32) {
        self.flags = flags
        self.length = length
    }

    /// Reads a header from the first five bytes of `bytes` and checks it
    /// against `maxFrameBytes` before anything of the body is buffered.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxFrameBytes: Int) throws(WireError) -> FrameHeader {
        precondition(bytes.count >= size, "FrameHeader.parse needs 5 bytes")
        let flags = bytes[0]
        let length = UInt32(bytes[1]) << 24 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 8 | UInt32(bytes[4])
        return try FrameHeader(flags: flags, length: length).validated(maxFrameBytes: maxFrameBytes)
    }

    /// Checks flags and length; returns self when both are acceptable.
    public func validated(maxFrameBytes: Int) throws(WireError) -> FrameHeader {
        if flags != 0 {
            let detail = flags & 1 == 1 ? " (compression is not supported)" : ""
            throw WireError(.unsupportedFlags, "frame flags 0x\(String(flags, radix: 16)) are not supported\(detail); send 0")
        }
        if Int(length) > maxFrameBytes {
            throw WireError(.frameTooLarge, "frame length \(length) exceeds the maximum of \(maxFrameBytes) bytes")
        }
        return self
    }

    /// Writes the header into the first five bytes at `pointer`.
    public func write(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: flags, as: UInt8.self)
        pointer.storeBytes(of: length.bigEndian, toByteOffset: 1, as: UInt32.self)
    }
}
