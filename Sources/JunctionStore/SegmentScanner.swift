/// Reads a segment file from the start, validating every record, and rebuilds
/// the segment's sparse index. Used by crash recovery.
struct SegmentScanner {
    /// The result of a scan.
    struct Outcome {
        /// Bytes of valid, complete records from the start of the file.
        var validBytes: Int64
        /// Size of the file.
        var fileBytes: Int64
        /// Why scanning stopped before the end of the file (nil when it reached it).
        var defect: String?
    }

    let maxRecordBytes: Int
    let indexInterval: Int
    let chunkBytes: Int

    init(maxRecordBytes: Int, indexInterval: Int, chunkBytes: Int = 1 << 20) {
        self.maxRecordBytes = maxRecordBytes
        self.indexInterval = indexInterval
        self.chunkBytes = chunkBytes
    }

    /// Scans `segment` (which must be empty) and records every valid record into it.
    func scan(_ segment: LogSegment) throws(StoreError) -> Outcome {
        let fileBytes = try PosixFile.size(segment.fd, path: segment.path)
        var capacity = max(chunkBytes, LogRecordHeader.size + 4096)
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }

        var bufferFileOffset: Int64 = 0   // file offset of buffer[0]
        var filled = 0                    // valid bytes in buffer
        var cursor = 0                    // parse position in buffer
        var expected = segment.firstPosition

        func refill(need: Int) throws(StoreError) -> Bool {
            // Move the unparsed tail to the front, grow if needed, read more.
            let remaining = filled - cursor
            if cursor > 0 {
                if remaining > 0 { buffer.copyMemory(from: buffer + cursor, byteCount: remaining) }
                bufferFileOffset += Int64(cursor)
                cursor = 0
                filled = remaining
            }
            if need > capacity {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: need, alignment: 16)
                bigger.copyMemory(from: buffer, byteCount: filled)
                buffer.deallocate()
                buffer = bigger
                capacity = need
            }
            let got = try PosixFile.read(segment.fd, into: buffer + filled, count: capacity - filled,
                                         at: bufferFileOffset + Int64(filled), path: segment.path)
            filled += got
            return got > 0
        }

        while true {
            let recordOffset = bufferFileOffset + Int64(cursor)
            if recordOffset >= fileBytes { return Outcome(validBytes: recordOffset, fileBytes: fileBytes, defect: nil) }
            if filled - cursor < LogRecordHeader.size {
                if try !refill(need: LogRecordHeader.size) || filled - cursor < LogRecordHeader.size {
                    if filled - cursor >= LogRecordHeader.size { continue }
                    return Outcome(validBytes: recordOffset, fileBytes: fileBytes,
                                   defect: "incomplete record header at offset \(recordOffset)")
                }
                continue
            }
            let header: LogRecordHeader, storedCRC: UInt32
            switch LogRecordHeader.decode(buffer + cursor, maxLength: maxRecordBytes) {
            case .success(let parsed): (header, storedCRC) = parsed
            case .failure(let defect):
                return Outcome(validBytes: recordOffset, fileBytes: fileBytes,
                               defect: "\(defect) at offset \(recordOffset)")
            }
            let total = LogRecordHeader.size + Int(header.length)
            if filled - cursor < total {
                if recordOffset + Int64(total) > fileBytes {
                    return Outcome(validBytes: recordOffset, fileBytes: fileBytes,
                                   defect: "record at offset \(recordOffset) needs \(total) bytes but the file ends after \(fileBytes - recordOffset)")
                }
                _ = try refill(need: total)
                if filled - cursor < total {
                    return Outcome(validBytes: recordOffset, fileBytes: fileBytes,
                                   defect: "short read of record at offset \(recordOffset)")
                }
                continue
            }
            if let defect = LogRecordHeader.verify(buffer + cursor, length: Int(header.length), storedCRC: storedCRC) {
                return Outcome(validBytes: recordOffset, fileBytes: fileBytes,
                               defect: "\(defect) in record at offset \(recordOffset)")
            }
            guard header.position == expected else {
                return Outcome(validBytes: recordOffset, fileBytes: fileBytes,
                               defect: "record at offset \(recordOffset) has position \(header.position), expected \(expected)")
            }
            segment.noteRecord(position: header.position, timestamp: header.timestamp, size: total,
                               indexInterval: indexInterval)
            expected &+= 1
            cursor += total
        }
    }
}
