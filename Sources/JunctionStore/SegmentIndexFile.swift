#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The persisted sparse index of a sealed segment (`<first>.idx`), so that
/// opening a large log does not have to read every sealed segment.
///
/// Little-endian layout: magic "JIDX" (u32 0x5844494A), version u32 (1),
/// segment bytes u64, first position u64, last position u64, first timestamp
/// i64, last timestamp i64, last record offset u64, entry count u64, entries
/// (position u64, timestamp i64, offset u64) each, then a CRC32C (u32) of
/// everything before it. An index file is trusted only when its checksum is
/// right, its segment size equals the segment file's size, and the last record
/// it names is present at that offset with a valid checksum; otherwise the
/// segment is scanned.
enum SegmentIndexFile {
    static let magic: UInt32 = 0x5844_494A
    static let version: UInt32 = 1
    static let headerSize = 4 + 4 + 8 * 7

    /// Writes the index of a sealed segment (atomically, via a temporary file and rename).
    static func write(_ segment: LogSegment) throws(StoreError) {
        let count = headerSize + segment.index.count * 24 + 4
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 8)
        defer { bytes.deallocate() }
        var o = 0
        func put<T: FixedWidthInteger>(_ v: T) { bytes.storeBytes(of: v.littleEndian, toByteOffset: o, as: T.self); o += MemoryLayout<T>.size }
        put(magic); put(version)
        put(UInt64(segment.byteSize)); put(segment.firstPosition); put(segment.lastPosition)
        put(segment.firstTimestamp); put(segment.lastTimestamp); put(UInt64(segment.lastRecordOffset))
        put(UInt64(segment.index.count))
        for e in segment.index { put(e.position); put(e.timestamp); put(UInt64(e.offset)) }
        put(CRC32C.checksum(UnsafeRawBufferPointer(start: bytes, count: o)))
        let temporary = segment.indexPath + ".tmp"
        let fd = try PosixFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try PosixFile.writeAll(fd, bytes, count: o, at: 0, path: temporary)
            // Durable before it is renamed into place: an index marks its
            // segment as sealed (the caller fsyncs the directory after).
            try PosixFile.dataSync(fd, path: temporary)
            close(fd)
        } catch {
            close(fd)
            throw error
        }
        try PosixFile.rename(temporary, segment.indexPath)
    }

    /// Loads the index into `segment` if the file exists and matches the segment.
    /// Returns false (leaving the segment untouched) when the index cannot be trusted.
    static func load(into segment: LogSegment, maxRecordBytes: Int, indexInterval: Int) -> Bool {
        guard let fd = try? PosixFile.open(segment.indexPath, flags: O_RDONLY) else { return false }
        defer { close(fd) }
        guard let size = try? PosixFile.size(fd, path: segment.indexPath),
              size >= Int64(headerSize + 4), size < 1 << 31 else { return false }
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: Int(size), alignment: 8)
        defer { bytes.deallocate() }
        guard let got = try? PosixFile.read(fd, into: bytes, count: Int(size), at: 0, path: segment.indexPath),
              got == Int(size) else { return false }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: Int(size) - 4, as: UInt32.self))
        guard CRC32C.checksum(UnsafeRawBufferPointer(start: bytes, count: Int(size) - 4)) == stored else { return false }
        var o = 0
        func get<T: FixedWidthInteger>(_: T.Type) -> T { defer { o += MemoryLayout<T>.size }; return T(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: T.self)) }
        guard get(UInt32.self) == magic, get(UInt32.self) == version else { return false }
        let segmentBytes = Int64(get(UInt64.self))
        let first = get(UInt64.self), last = get(UInt64.self)
        let firstTs = get(Int64.self), lastTs = get(Int64.self)
        let lastOffset = Int64(get(UInt64.self))
        let entryCount = Int(get(UInt64.self))
        guard first == segment.firstPosition, last >= first,
              headerSize + entryCount * 24 + 4 == Int(size),
              let fileSize = try? PosixFile.size(segment.fd, path: segment.path), fileSize == segmentBytes
        else { return false }
        var entries: [SparseIndexEntry] = []
        entries.reserveCapacity(entryCount)
        for _ in 0..<entryCount {
            let p = get(UInt64.self), t = get(Int64.self), off = Int64(get(UInt64.self))
            entries.append(SparseIndexEntry(position: p, timestamp: t, offset: off))
        }
        guard verifyLastRecord(segment, offset: lastOffset, position: last, segmentBytes: segmentBytes,
                               maxRecordBytes: maxRecordBytes) else { return false }
        segment.restore(lastPosition: last, byteSize: segmentBytes, firstTimestamp: firstTs, lastTimestamp: lastTs,
                        lastRecordOffset: lastOffset, index: entries, indexInterval: indexInterval)
        return true
    }

    private static func verifyLastRecord(_ segment: LogSegment, offset: Int64, position: UInt64,
                                         segmentBytes: Int64, maxRecordBytes: Int) -> Bool {
        let length = segmentBytes - offset
        guard offset >= 0, length >= Int64(LogRecordHeader.size),
              length <= Int64(maxRecordBytes + LogRecordHeader.size) else { return false }
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: Int(length), alignment: 16)
        defer { bytes.deallocate() }
        guard let got = try? PosixFile.read(segment.fd, into: bytes, count: Int(length), at: offset, path: segment.path),
              got == Int(length),
              case .success(let (header, crc)) = LogRecordHeader.decode(bytes, maxLength: maxRecordBytes),
              header.position == position,
              Int64(LogRecordHeader.size) + Int64(header.length) == length,
              LogRecordHeader.verify(bytes, length: Int(header.length), storedCRC: crc) == nil
        else { return false }
        return true
    }
}
