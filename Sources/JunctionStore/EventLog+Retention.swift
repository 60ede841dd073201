extension EventLog {
    /// Deletes whole sealed segments, oldest first, while the oldest is older
    /// than `retention.maxAgeNanos` (by its newest record) or the log is larger
    /// than `retention.maxBytes`. The active segment is never deleted. The
    /// writer thread calls this after sealing a segment and every
    /// `retentionCheckMilliseconds`; call it yourself to apply retention now.
    @discardableResult
    public func enforceRetention() throws(StoreError) -> RetentionReport {
        let policy = configuration.retention
        let now = configuration.clock()
        var victims: [LogSegment] = []
        var report = RetentionReport()
        lock.withLock {
            var total = segments.reduce(Int64(0)) { $0 + $1.byteSize }
            while segments.count > 1 {
                let oldest = segments[0]
                guard oldest.sealComplete else { break }
                let tooOld = policy.maxAgeNanos.map { oldest.lastTimestamp < now &- $0 } ?? false
                let tooBig = policy.maxBytes.map { total > $0 } ?? false
                guard tooOld || tooBig else { break }
                segments.removeFirst()
                total -= oldest.byteSize
                victims.append(oldest)
            }
            report.firstPosition = segments.first?.firstPosition ?? nextPosition
        }
        // Open readers keep their file descriptors; the space is freed when they finish.
        for segment in victims {
            try PosixFile.unlinkIfPresent(segment.path)
            try PosixFile.unlinkIfPresent(segment.indexPath)
            report.deletedSegments.append(segment.path)
            report.deletedBytes += segment.byteSize
        }
        if !victims.isEmpty { try PosixFile.syncDirectory(configuration.directory) }
        return report
    }
}
