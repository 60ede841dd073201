#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of a segment's sparse index.
struct SparseIndexEntry: Equatable {
    var position: UInt64
    var timestamp: Int64
    var offset: Int64
}

/// One segment file: records `firstPosition...lastPosition`, with a sparse
/// index by position and time.
///
/// Fields describe the logical contents, including records queued for the
/// writer thread but not yet written; readers bound themselves by the log's
/// completed position.
final class LogSegment: @unchecked Sendable { // mutable fields are only touched under the owning EventLog's lock (or before the log is shared)
    let firstPosition: UInt64
    let path: String
    let indexPath: String
    let fd: Int32

    var lastPosition: UInt64
    var byteSize: Int64 = 0
    var firstTimestamp: Int64 = 0
    var lastTimestamp: Int64 = 0
    var lastRecordOffset: Int64 = 0
    var index: [SparseIndexEntry] = []
    /// Set once the writer has written, fsynced and indexed the whole segment
    /// (it will never be written again); only such segments may be deleted by retention.
    var sealComplete = false
    private var nextIndexOffset: Int64 = 0

    var isEmpty: Bool { lastPosition < firstPosition }
    var recordCount: UInt64 { lastPosition &+ 1 &- firstPosition }

    init(directory: String, firstPosition: UInt64, fd: Int32) {
        self.firstPosition = firstPosition
        let name = LogSegment.baseName(firstPosition)
        self.path = directory + "/" + name + ".log"
        self.indexPath = directory + "/" + name + ".idx"
        self.fd = fd
        self.lastPosition = firstPosition &- 1
    }

    deinit { close(fd) }

    /// Twenty-digit zero-padded decimal first position.
    static func baseName(_ position: UInt64) -> String {
        let digits = String(position)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Parses "00000000000000000001.log" into 1.
    static func parseName(_ name: String) -> UInt64? {
        guard name.hasSuffix(".log") else { return nil }
        let stem = name.dropLast(4)
        guard stem.count == 20, stem.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        return UInt64(stem)
    }

    /// Accounts for a record of `size` bytes at the end of the segment.
    @inline(__always)
    func noteRecord(position: UInt64, timestamp: Int64, size: Int, indexInterval: Int) {
        let offset = byteSize
        if isEmpty { firstTimestamp = timestamp }
        if offset >= nextIndexOffset {
            index.append(SparseIndexEntry(position: position, timestamp: timestamp, offset: offset))
            nextIndexOffset = offset + Int64(indexInterval)
        }
        lastPosition = position
        lastTimestamp = timestamp
        lastRecordOffset = offset
        byteSize = offset + Int64(size)
    }

    /// Replaces the index state (after loading an index file).
    func restore(lastPosition: UInt64, byteSize: Int64, firstTimestamp: Int64, lastTimestamp: Int64,
                 lastRecordOffset: Int64, index: [SparseIndexEntry], indexInterval: Int) {
        self.lastPosition = lastPosition
        self.byteSize = byteSize
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.lastRecordOffset = lastRecordOffset
        self.index = index
        self.nextIndexOffset = (index.last?.offset ?? -Int64(indexInterval)) + Int64(indexInterval)
    }

    /// Byte offset of a record at or before `position` to start scanning from.
    func scanStart(forPosition position: UInt64) -> SparseIndexEntry? {
        var lo = 0, hi = index.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if index[mid].position <= position { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : index[lo - 1]
    }

    /// Last index entry whose timestamp is before `time` (scan from there for the first ≥ time).
    func scanStart(beforeTime time: Int64) -> SparseIndexEntry? {
        var lo = 0, hi = index.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if index[mid].timestamp < time { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : index[lo - 1]
    }
}
