#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EventLog {
    /// Whether every segment file starting at these positions is empty.
    private static func onlyEmptySegments(_ firstPositions: ArraySlice<UInt64>, in directory: String) throws(StoreError) -> Bool {
        for first in firstPositions {
            let path = directory + "/" + LogSegment.baseName(first) + ".log"
            var info = stat()
            if stat(path, &info) != 0 { throw StoreError.system("stat", path: path) }
            if info.st_size != 0 { return false }
        }
        return true
    }

    /// Opens every segment in the directory, trusting persisted indexes of
    /// sealed segments when they match, scanning the rest (always the last
    /// segment), and truncating at the first torn or corrupt record, deleting
    /// any later segments.
    static func recover(_ configuration: EventLogConfiguration) throws(StoreError) -> (segments: [LogSegment], report: RecoveryReport) {
        let started = monotonicNanos()
        let directory = configuration.directory
        try PosixFile.makeDirectories(directory)
        var report = RecoveryReport()
        let names = try PosixFile.list(directory)
        var directoryChanged = false
        // Temporary files: an index being written, and the spare segment
        // (never holds a record before a roll renames it: EventLog+Spare.swift).
        for name in names where name.hasSuffix(".idx.tmp") || name == spareFileName {
            try PosixFile.unlinkIfPresent(directory + "/" + name)
            directoryChanged = true
        }
        let firstPositions = names.compactMap(LogSegment.parseName).sorted()
        let scanner = SegmentScanner(maxRecordBytes: configuration.maxRecordBytes,
                                     indexInterval: configuration.indexIntervalBytes)
        var segments: [LogSegment] = []

        if firstPositions.isEmpty {
            let path = directory + "/" + LogSegment.baseName(1) + ".log"
            let fd = try PosixFile.open(path, flags: O_RDWR | O_CREAT | O_EXCL)
            segments.append(LogSegment(directory: directory, firstPosition: 1, fd: fd))
            directoryChanged = true
        }

        var truncated = false
        // Segments read in full and kept whole, in order: fsynced, and
        // indexed, once the directory holds its final set of segments (below).
        var scannedWhole: [LogSegment] = []
        // Whether the previous segment had no index file: it was never sealed
        // (a seal writes the index after the segment's fsync).
        var previousUnsealed = false
        for (i, first) in firstPositions.enumerated() {
            let path = directory + "/" + LogSegment.baseName(first) + ".log"
            let indexPath = directory + "/" + LogSegment.baseName(first) + ".idx"
            if !truncated, let previous = segments.last, previous.lastPosition < first &- 1 {
                if try onlyEmptySegments(firstPositions[i...], in: directory) {
                    // A segment file is created when an append reserves its first
                    // position, before the writer has written the earlier records; a
                    // crash in between leaves empty segments past the real end. They
                    // hold nothing (the writer writes in position order), so they go.
                    truncated = true
                } else if previousUnsealed {
                    // The previous segment ends cleanly before this one starts and
                    // has no index: it was never sealed. Under `interval` and `never`
                    // the writer seals a full segment after writing into the next
                    // one, so an OS crash during that seal can lose the older
                    // segment's tail while records of later segments reached the
                    // disk. Those were never durable (the durable position does not
                    // pass an unsealed segment): the log ends here.
                    report.truncations.append(.init(
                        path: previous.path, validBytes: previous.byteSize, removedBytes: 0,
                        reason: "the segment ends at position \(previous.lastPosition) but the next one starts at \(first): its last records were lost before it was sealed, so the later segments, which held nothing durable, are deleted"))
                    truncated = true
                }
            }
            if truncated {
                try PosixFile.unlinkIfPresent(path)
                try PosixFile.unlinkIfPresent(indexPath)
                report.deletedSegments.append(path)
                directoryChanged = true
                continue
            }
            if let previous = segments.last, previous.lastPosition &+ 1 != first {
                throw StoreError(.corruption,
                                 "segment \(path) starts at position \(first) but the previous segment \(previous.path) ends at position \(previous.lastPosition); the log has a gap or overlap and needs manual repair (move the later segments away to keep the earlier ones)",
                                 path: path)
            }
            let fd = try PosixFile.open(path, flags: O_RDWR)
            let segment = LogSegment(directory: directory, firstPosition: first, fd: fd)
            let isLast = i == firstPositions.count - 1
            previousUnsealed = false
            if !isLast && SegmentIndexFile.load(into: segment, maxRecordBytes: configuration.maxRecordBytes,
                                                indexInterval: configuration.indexIntervalBytes) {
                report.indexFilesLoaded += 1
            } else {
                previousUnsealed = access(indexPath, F_OK) != 0
                let outcome = try scanner.scan(segment)
                report.segmentsScanned += 1
                report.bytesScanned += outcome.validBytes
                if outcome.validBytes < outcome.fileBytes {
                    try PosixFile.truncate(fd, to: outcome.validBytes, path: path)
                    try PosixFile.fullSync(fd, path: path)
                    try PosixFile.unlinkIfPresent(indexPath)
                    report.truncations.append(.init(path: path, validBytes: outcome.validBytes,
                                                    removedBytes: outcome.fileBytes - outcome.validBytes,
                                                    reason: outcome.defect ?? "unknown"))
                    truncated = true
                    directoryChanged = true
                } else {
                    scannedWhole.append(segment)
                }
            }
            segments.append(segment)
        }
        // Index files whose segment is gone (deleted by retention mid-seal, or by hand).
        let kept = Set(segments.map { LogSegment.baseName($0.firstPosition) })
        for name in names where name.hasSuffix(".idx") && !kept.contains(String(name.dropLast(4))) {
            try PosixFile.unlinkIfPresent(directory + "/" + name)
            directoryChanged = true
        }
        if truncated, let last = segments.last {
            try? PosixFile.unlinkIfPresent(last.indexPath)
        }
        if directoryChanged { try PosixFile.syncDirectory(directory) }
        // A scanned segment may hold records that only reached the page cache
        // (a process crash before its seal or the interval fsync): fsync it,
        // since the log reports everything recovered as durable. Only then,
        // with deletions above durable, write its index: an index marks a
        // sealed segment, and written earlier it could outlive a crash in
        // the middle of this recovery and make the next one refuse the gap
        // it was repairing.
        var indexed = false
        for segment in scannedWhole {
            try PosixFile.dataSync(segment.fd, path: segment.path)
            if segment !== segments.last, (try? SegmentIndexFile.write(segment)) != nil { indexed = true }
        }
        if indexed { try? PosixFile.syncDirectory(directory) }
        for segment in segments.dropLast() { segment.sealComplete = true }

        report.segmentCount = segments.count
        report.firstPosition = segments[0].firstPosition
        report.lastPosition = segments[segments.count - 1].lastPosition
        report.durationNanos = monotonicNanos() - started
        return (segments, report)
    }
}
