internal import CJunctionCRC

/// CRC32C (Castagnoli) checksums, hardware-accelerated when the CPU allows.
public enum CRC32C {
    /// Extends `crc` (0 to start) with `bytes`.
    @inline(__always)
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        junction_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    /// Checksum of a byte array.
    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The portable slicing-by-8 result (for tests comparing it with the hardware path).
    static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        junction_crc32c_software(crc, bytes.baseAddress, bytes.count)
    }

    /// Whether the SSE4.2 instruction is in use.
    public static var isHardwareAccelerated: Bool { junction_crc32c_is_hardware_accelerated() != 0 }
}
