extension EventLog {
    /// Where to start reading one segment.
    private struct ReadPlan {
        let segment: LogSegment
        let scanPosition: UInt64
        let scanOffset: Int64
        let endPosition: UInt64
    }

    /// Reads up to `maxRecords` records starting at `position`.
    ///
    /// Only completed appends are visible (see ``completedPosition``). When
    /// `position` was deleted by retention, reading starts at ``firstPosition``
    /// (compare the first record's position to detect the gap). At least one
    /// record is returned when one is available, even if it is larger than
    /// `maxBytes`; otherwise the payloads total at most `maxBytes`. The batch
    /// is empty when `position` is past the last readable position. Every
    /// record's checksum is verified.
    public func read(from position: UInt64, maxRecords: Int = 1024, maxBytes: Int = 1 << 20) throws(StoreError) -> LogReadBatch {
        var batch = LogReadBatch()
        try read(from: position, maxRecords: maxRecords, maxBytes: maxBytes, into: &batch)
        return batch
    }

    /// Like ``read(from:maxRecords:maxBytes:)`` but reuses the buffers of `batch`
    /// (its previous records are discarded).
    public func read(from position: UInt64, maxRecords: Int, maxBytes: Int,
                     into batch: inout LogReadBatch) throws(StoreError) {
        batch.records.removeAll(keepingCapacity: true)
        guard maxRecords > 0 else { return }
        var used = 0
        var bytes = 0
        var next = position
        let chunk = min(max(maxBytes + 4096, 64 << 10), 8 << 20)
        while batch.records.count < maxRecords {
            guard let plan = try plan(for: next) else { break }
            let reachedLimit = try readSegment(plan, from: &next, maxRecords: maxRecords, maxBytes: maxBytes,
                                               chunk: chunk, batch: &batch, used: &used, bytes: &bytes)
            if reachedLimit { break }
        }
    }

    /// Calls `visit` with each readable record from `position` on, in
    /// position order (with its payload, valid during the call), until
    /// `visit` returns false, a record past `last` is met, `maxRecords`
    /// records were visited, or the readable end. Reads in batches into
    /// `batch` (its buffers are reused). As with ``read(from:maxRecords:maxBytes:)``,
    /// positions deleted by retention are skipped.
    ///
    /// Returns the position of the last record visited (`position - 1` when
    /// none), and the error that stopped the scan early, if one did: the
    /// records visited before it stand.
    public func scan(from position: UInt64, through last: UInt64 = .max, maxRecords: Int = .max,
                     batch: inout LogReadBatch,
                     _ visit: (LogRecord, UnsafeRawBufferPointer) -> Bool) -> (lastVisited: UInt64, failure: StoreError?) {
        var next = position
        var visited = 0
        var lastVisited = position &- 1
        while visited < maxRecords && next <= last {
            do {
                try read(from: next, maxRecords: min(1024, maxRecords - visited), maxBytes: 1 << 20, into: &batch)
            } catch {
                return (lastVisited, error)
            }
            guard let end = batch.last?.position, end >= next else { break }
            for record in batch where record.position >= next {
                if record.position > last { return (lastVisited, nil) }
                visited += 1
                lastVisited = record.position
                if !batch.withPayload(record, { visit(record, $0) }) || visited >= maxRecords { return (lastVisited, nil) }
            }
            next = end + 1
        }
        return (lastVisited, nil)
    }

    /// The first position whose record was appended at or after `time`
    /// (Unix nanoseconds), or `lastPosition + 1` when every readable record is older.
    public func position(atOrAfter time: Int64) throws(StoreError) -> UInt64 {
        let start: UInt64
        let readable: UInt64
        do {
            lock.lock()
            defer { lock.unlock() }
            try checkUsableLocked()
            readable = completedPositionStorage
            // Only the last segment can be empty; leave it out so the predicate stays monotonic.
            let searchable = segments.count - (segments.last?.isEmpty == true ? 1 : 0)
            var lo = 0, hi = searchable
            while lo < hi {
                let mid = (lo + hi) / 2
                if segments[mid].lastTimestamp < time { lo = mid + 1 } else { hi = mid }
            }
            if lo == searchable { return readable &+ 1 }
            let segment = segments[lo]
            if segment.firstPosition > readable { return readable &+ 1 }
            start = segment.scanStart(beforeTime: time)?.position ?? segment.firstPosition
        }
        var batch = LogReadBatch()
        var next = start
        while next <= readable {
            try read(from: next, maxRecords: 512, maxBytes: 256 << 10, into: &batch)
            guard let lastRecord = batch.records.last else { break }
            if let hit = batch.records.first(where: { $0.timestamp >= time }) { return hit.position }
            next = lastRecord.position &+ 1
        }
        return readable &+ 1
    }

    private func plan(for position: UInt64) throws(StoreError) -> ReadPlan? {
        lock.lock()
        defer { lock.unlock() }
        try checkUsableLocked()
        let readable = completedPositionStorage
        guard let first = segments.first?.firstPosition else { return nil }
        let target = max(position, first)
        guard target <= readable else { return nil }
        var lo = 0, hi = segments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if segments[mid].firstPosition <= target { lo = mid + 1 } else { hi = mid }
        }
        let segment = segments[lo - 1]
        guard target <= segment.lastPosition else { return nil }
        let entry = segment.scanStart(forPosition: target)
        return ReadPlan(segment: segment,
                        scanPosition: entry?.position ?? segment.firstPosition,
                        scanOffset: entry?.offset ?? 0,
                        endPosition: min(segment.lastPosition, readable))
    }

    /// Reads records of one segment into `batch`; returns true when a limit was reached.
    private func readSegment(_ plan: ReadPlan, from next: inout UInt64, maxRecords: Int, maxBytes: Int,
                             chunk: Int, batch: inout LogReadBatch, used: inout Int, bytes: inout Int) throws(StoreError) -> Bool {
        let segment = plan.segment
        let regionStart = used          // storage offset of file offset plan.scanOffset
        var filled = regionStart
        var cursor = regionStart
        var position = plan.scanPosition
        let wanted = max(next, segment.firstPosition)
        let maxLength = configuration.maxRecordBytes

        func fill(atLeast need: Int) throws(StoreError) -> Int {
            let want = max(chunk, need)
            if batch.storage.count < filled + want {
                let newCount = max(filled + want, batch.storage.count * 2)
                let old = batch.storage
                batch.storage = [UInt8](unsafeUninitializedCapacity: newCount) { buffer, initialized in
                    old.withUnsafeBytes { src in
                        if filled > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<filled])) }
                    }
                    initialized = newCount
                }
            }
            let fileOffset = plan.scanOffset + Int64(filled - regionStart)
            let start = filled
            let result = batch.storage.withUnsafeMutableBytes { raw -> Result<Int, StoreError> in
                do throws(StoreError) {
                    return .success(try PosixFile.read(segment.fd, into: raw.baseAddress! + start, count: want,
                                                       at: fileOffset, path: segment.path))
                } catch {
                    return .failure(error)
                }
            }
            let got = try result.get()
            filled += got
            return got
        }

        func corrupt(_ what: String) -> StoreError {
            let offset = plan.scanOffset + Int64(cursor - regionStart)
            return StoreError(.corruption, "\(segment.path) at offset \(offset) (position \(position)): \(what)",
                              path: segment.path)
        }

        while position <= plan.endPosition {
            if batch.records.count >= maxRecords { used = filled; return true }
            if filled - cursor < LogRecordHeader.size {
                if try fill(atLeast: LogRecordHeader.size - (filled - cursor)) == 0 {
                    throw corrupt("the file ends before a record the log reported as written")
                }
                continue
            }
            let decoded = batch.storage.withUnsafeBytes { raw in
                LogRecordHeader.decode(raw.baseAddress! + cursor, maxLength: maxLength)
            }
            let header: LogRecordHeader, storedCRC: UInt32
            switch decoded {
            case .success(let parsed): (header, storedCRC) = parsed
            case .failure(let defect): throw corrupt("\(defect)")
            }
            let total = LogRecordHeader.size + Int(header.length)
            if filled - cursor < total {
                if try fill(atLeast: total - (filled - cursor)) == 0 {
                    throw corrupt("the file ends inside a record the log reported as written")
                }
                continue
            }
            guard header.position == position else {
                throw corrupt("found position \(header.position) where \(position) was expected")
            }
            if position >= wanted {
                if !batch.records.isEmpty && bytes + Int(header.length) > maxBytes { used = filled; return true }
                let defect = batch.storage.withUnsafeBytes { raw in
                    LogRecordHeader.verify(raw.baseAddress! + cursor, length: Int(header.length), storedCRC: storedCRC)
                }
                if let defect { throw corrupt("\(defect)") }
                batch.records.append(LogRecord(position: position, timestamp: header.timestamp, flags: header.flags,
                                               payloadOffset: cursor + LogRecordHeader.size,
                                               payloadCount: Int(header.length)))
                bytes += Int(header.length)
                next = position &+ 1
            }
            cursor += total
            position &+= 1
        }
        used = filled
        return batch.records.count >= maxRecords || (bytes >= maxBytes && !batch.records.isEmpty)
    }
}
