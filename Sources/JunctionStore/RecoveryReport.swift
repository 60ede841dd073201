/// What ``EventLog`` found and repaired when it opened its directory.
public struct RecoveryReport: Sendable, Equatable, CustomStringConvertible {
    /// One repaired segment.
    public struct Truncation: Sendable, Equatable {
        /// The segment file that was cut.
        public var path: String
        /// Its new length: the end of its last valid record.
        public var validBytes: Int64
        /// Bytes removed from its end.
        public var removedBytes: Int64
        /// Why the first removed record was rejected.
        public var reason: String
    }

    /// Segment files found (and kept) on open.
    public var segmentCount = 0
    /// Segments whose persisted index was trusted (not read in full).
    public var indexFilesLoaded = 0
    /// Segments read and checksummed in full.
    public var segmentsScanned = 0
    /// Bytes read by those scans.
    public var bytesScanned: Int64 = 0
    /// Segments cut at a torn or corrupt record.
    public var truncations: [Truncation] = []
    /// Segment files deleted because they followed a truncation point.
    public var deletedSegments: [String] = []
    /// First retained position after recovery.
    public var firstPosition: UInt64 = 1
    /// Last position after recovery (0 when the log is empty).
    public var lastPosition: UInt64 = 0
    /// Wall time spent recovering, nanoseconds.
    public var durationNanos: UInt64 = 0

    /// True when nothing had to be cut or deleted.
    public var isClean: Bool { truncations.isEmpty && deletedSegments.isEmpty }

    public var description: String {
        var s = "recovered \(segmentCount) segment(s), positions \(firstPosition)...\(lastPosition), "
        s += "\(indexFilesLoaded) index file(s) loaded, \(segmentsScanned) segment(s) scanned (\(bytesScanned) bytes) "
        s += "in \(durationNanos / 1_000_000) ms"
        for t in truncations {
            s += "; truncated \(t.path) to \(t.validBytes) bytes (removed \(t.removedBytes)): \(t.reason)"
        }
        if !deletedSegments.isEmpty { s += "; deleted \(deletedSegments.joined(separator: ", "))" }
        return s
    }
}

/// What ``EventLog/enforceRetention()`` deleted.
public struct RetentionReport: Sendable, Equatable {
    /// Deleted segment files.
    public var deletedSegments: [String] = []
    /// Bytes freed.
    public var deletedBytes: Int64 = 0
    /// First retained position afterwards.
    public var firstPosition: UInt64 = 1
}

/// Counters of an ``EventLog`` since it was opened.
public struct EventLogStatistics: Sendable, Equatable {
    /// Append calls accepted.
    public var appendCalls: UInt64 = 0
    /// Records accepted.
    public var records: UInt64 = 0
    /// Group commits: one per hand-off of the pending buffer to the writer thread.
    public var groupCommits: UInt64 = 0
    /// `fdatasync` calls for records (sealing a segment is not counted).
    public var syncs: UInt64 = 0
    /// Bytes written to segment files.
    public var bytesWritten: UInt64 = 0
}
