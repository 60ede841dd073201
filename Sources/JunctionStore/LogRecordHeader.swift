/// The fixed 32-byte header in front of every record in a segment file.
///
/// Little-endian layout:
/// ```
/// 0  u32 magic    0x474C4E4A ("JNLG" on disk)
/// 4  u32 crc32c   over bytes 8..<32 of the header, then the payload
/// 8  u32 length   payload bytes
/// 12 u8  version  1
/// 13 u8  flags    caller-defined
/// 14 u16 reserved 0
/// 16 u64 position
/// 24 i64 timestamp (Unix nanoseconds)
/// ```
struct LogRecordHeader: Equatable {
    static let size = 32
    static let magic: UInt32 = 0x474C_4E4A
    static let version: UInt8 = 1

    var length: UInt32
    var flags: UInt8
    var position: UInt64
    var timestamp: Int64

    /// Writes the header with its checksum (computed over `payload`) at `base`.
    @inline(__always)
    func encode(into base: UnsafeMutableRawPointer, payload: UnsafeRawBufferPointer) {
        base.storeBytes(of: Self.magic.littleEndian, toByteOffset: 0, as: UInt32.self)
        base.storeBytes(of: length.littleEndian, toByteOffset: 8, as: UInt32.self)
        base.storeBytes(of: Self.version, toByteOffset: 12, as: UInt8.self)
        base.storeBytes(of: flags, toByteOffset: 13, as: UInt8.self)
        base.storeBytes(of: UInt16(0), toByteOffset: 14, as: UInt16.self)
        base.storeBytes(of: position.littleEndian, toByteOffset: 16, as: UInt64.self)
        base.storeBytes(of: timestamp.littleEndian, toByteOffset: 24, as: Int64.self)
        var crc = CRC32C.checksum(UnsafeRawBufferPointer(start: base + 8, count: Self.size - 8))
        crc = CRC32C.checksum(payload, continuing: crc)
        base.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
    }

    /// Why a header or record failed validation.
    enum Defect: Error, Equatable, CustomStringConvertible {
        case badMagic(UInt32)
        case badVersion(UInt8)
        case tooLong(UInt32)
        case checksumMismatch(stored: UInt32, computed: UInt32)

        var description: String {
            switch self {
            case .badMagic(let m): "bad record magic 0x\(String(m, radix: 16))"
            case .badVersion(let v): "unsupported record version \(v)"
            case .tooLong(let n): "record length \(n) exceeds the maximum record size"
            case .checksumMismatch(let s, let c):
                "CRC32C mismatch (stored 0x\(String(s, radix: 16)), computed 0x\(String(c, radix: 16)))"
            }
        }
    }

    /// Parses the header at `base` (32 readable bytes). Checks magic, version and length.
    @inline(__always)
    static func decode(_ base: UnsafeRawPointer, maxLength: Int) -> Result<(LogRecordHeader, UInt32), Defect> {
        let magic = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        guard magic == Self.magic else { return .failure(.badMagic(magic)) }
        let version = base.load(fromByteOffset: 12, as: UInt8.self)
        guard version == Self.version else { return .failure(.badVersion(version)) }
        let length = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard Int(length) <= maxLength else { return .failure(.tooLong(length)) }
        let crc = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let header = LogRecordHeader(
            length: length,
            flags: base.load(fromByteOffset: 13, as: UInt8.self),
            position: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            timestamp: Int64(littleEndian: base.loadUnaligned(fromByteOffset: 24, as: Int64.self)))
        return .success((header, crc))
    }

    /// Verifies the stored checksum of a complete record starting at `base`.
    @inline(__always)
    static func verify(_ base: UnsafeRawPointer, length: Int, storedCRC: UInt32) -> Defect? {
        var crc = CRC32C.checksum(UnsafeRawBufferPointer(start: base + 8, count: size - 8))
        crc = CRC32C.checksum(UnsafeRawBufferPointer(start: base + size, count: length), continuing: crc)
        return crc == storedCRC ? nil : .checksumMismatch(stored: storedCRC, computed: crc)
    }
}
