#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An embedded, segmented, append-only log of checksummed records in one directory.
///
/// - Positions are dense and start at 1; 0 means "nothing".
/// - Appends are encoded into a shared pending buffer by the calling thread
///   (under a mutex) and written by one writer thread, so concurrent appenders
///   share one `write` and, under ``FsyncPolicy/always``, one `fdatasync`
///   (group commit). A small append to an idle log may be written by its
///   caller instead (see `inlineWriteLimit`), which saves two thread
///   hand-offs at low rates.
/// - Readers see a record once its append has completed (under `always`, once
///   it is fsynced), see ``completedPosition``.
/// - Opening the log recovers from a crash: see ``recoveryReport``.
///
/// Call ``close()`` when done: the writer thread keeps the log alive until then.
/// On-disk format, guarantees and recovery are described in `docs/storage.md`.
public final class EventLog: @unchecked Sendable { // all mutable state below is guarded by `lock`; only the holder of the writing role writes record bytes to files
    /// A completion handler for asynchronous appends.
    public typealias Completion = @Sendable (Result<ClosedRange<UInt64>, StoreError>) -> Void

    struct PendingChunk {
        let segment: LogSegment
        let bufferStart: Int
        let fileOffset: Int64
    }

    struct PendingCompletion {
        let range: ClosedRange<UInt64>
        let callback: Completion
    }

    /// The configuration the log was opened with.
    public let configuration: EventLogConfiguration
    /// What recovery found and repaired when the log was opened.
    public let recoveryReport: RecoveryReport

    let lock = ConditionLock()
    let workAvailable = Condition()
    let spaceAvailable = Condition()
    let progress = Condition()
    let pendingInitialCapacity: Int

    // Guarded by `lock`.
    var segments: [LogSegment]
    var nextPosition: UInt64
    var lastTimestamp: Int64
    var pending: WriteBuffer
    var spare: WriteBuffer
    var pendingChunks: [PendingChunk] = []
    var pendingCompletions: [PendingCompletion] = []
    var pendingLast: UInt64 = 0
    var writtenPosition: UInt64
    var completedPositionStorage: UInt64
    var durablePositionStorage: UInt64
    var syncTarget: UInt64 = 0
    var failure: StoreError?
    var closing = false
    var writerExited = false
    var closed = false
    var writerThread: pthread_t?
    var writerIdentity: pthread_t?
    var stats = EventLogStatistics()
    /// The writer thread is busy without the writing role: in the periodic
    /// fsync, a segment seal or preparing segment files
    /// (``syncWithoutRoleLocked()``, ``sealWithoutRoleLocked()``,
    /// ``prepareSegmentsUnlockingLocked()``): appenders write what is pending
    /// themselves, up to ``inlineLimitDuringSync`` bytes.
    var writerBusyWithoutRole = false
    /// The spare segment file, created and reserved by the writer thread
    /// ahead of the next roll (EventLog+Spare.swift).
    var spareFD: Int32?
    /// The writer thread should make a spare: set when the log opens and at
    /// every roll.
    var spareWanted = false
    /// Segments a roll created without a spare: the writer thread reserves
    /// their blocks.
    var segmentsToReserve: [LogSegment] = []
    /// The file system cannot reserve blocks, or rename without replacing:
    /// no spares.
    var spareUnsupported = false
    /// Full segments written to the end but not yet sealed (fsynced, index
    /// written), oldest first: under `interval` and `never` the writer thread
    /// seals them outside the writing role, so that writes to the next
    /// segment go on meanwhile. Nothing is durable past the oldest one's
    /// start until it is sealed.
    var segmentsToSeal: [LogSegment] = []
    /// The writing role: set while one thread (the writer thread, or an
    /// appender writing its own small append) writes, and fsyncs what it
    /// wrote (under `always`, or for a `sync()`). Only the holder uses
    /// `currentSegment` and the writing buffers outside the lock; `dirty`
    /// and `lastSync` are only used under the lock (the fsyncs without the
    /// role set them too).
    var writing = false
    var writingThread: pthread_t?
    /// The writer thread waits for an appender to give the role back.
    var writerWaitsForRole = false
    /// The segment the last write went to.
    var currentSegment: LogSegment?
    /// Written since the last fsync.
    var dirty = false
    var lastSync: UInt64
    /// While the periodic fsync or a seal runs, an appender writes what is
    /// pending itself up to this many bytes (or its own `inlineWriteLimit`, if larger).
    static let inlineLimitDuringSync = 1 << 20
    var writingChunks: [PendingChunk] = []
    var writingCompletions: [PendingCompletion] = []

    /// Opens (creating if needed) the log in `configuration.directory`, recovers
    /// from any crash and starts the writer thread.
    public init(configuration: EventLogConfiguration) throws(StoreError) {
        guard configuration.segmentBytes >= 4096 else {
            throw StoreError(.invalidArgument, "segmentBytes \(configuration.segmentBytes) is below the minimum 4096")
        }
        guard configuration.maxRecordBytes > 0, configuration.maxRecordBytes <= Int(UInt32.max) - 64 else {
            throw StoreError(.invalidArgument, "maxRecordBytes \(configuration.maxRecordBytes) must be in 1...\(Int(UInt32.max) - 64)")
        }
        if case .interval(let ms) = configuration.fsync, ms <= 0 {
            throw StoreError(.invalidArgument, "fsync interval must be positive, got \(ms) ms")
        }
        self.configuration = configuration
        let recovered = try Self.recover(configuration)
        self.recoveryReport = recovered.report
        self.segments = recovered.segments
        let last = recovered.segments.last!
        self.nextPosition = last.lastPosition &+ 1
        self.lastTimestamp = recovered.segments.reduce(Int64.min) { max($0, $1.isEmpty ? Int64.min : $1.lastTimestamp) }
        self.writtenPosition = last.lastPosition
        self.completedPositionStorage = last.lastPosition
        self.durablePositionStorage = last.lastPosition
        self.pendingInitialCapacity = min(max(configuration.maxPendingBytes / 8, 64 << 10), 4 << 20)
        self.pending = WriteBuffer(capacity: pendingInitialCapacity)
        self.spare = WriteBuffer(capacity: pendingInitialCapacity)
        self.currentSegment = last
        self.lastSync = monotonicNanos()
        reserveSpace(last)
        try startWriter()
    }

    // MARK: positions

    /// First retained position; equals `lastPosition + 1` when the log is empty.
    public var firstPosition: UInt64 { lock.withLock { segments.first?.firstPosition ?? nextPosition } }

    /// Last readable position (0 when nothing was ever appended).
    public var lastPosition: UInt64 { lock.withLock { completedPositionStorage } }

    /// Same as ``lastPosition``: the last position whose append has completed.
    public var completedPosition: UInt64 { lock.withLock { completedPositionStorage } }

    /// Last position known to be on stable storage (fsynced).
    public var durablePosition: UInt64 { lock.withLock { durablePositionStorage } }

    /// Total bytes of all segment files (including queued appends).
    public var totalBytes: Int64 { lock.withLock { segments.reduce(0) { $0 + $1.byteSize } } }

    /// Number of segment files.
    public var segmentCount: Int { lock.withLock { segments.count } }

    /// Counters since open (group-commit effectiveness, for metrics and benchmarks).
    public var statistics: EventLogStatistics { lock.withLock { stats } }

    // MARK: append

    /// Appends a batch and waits until it completes under the fsync policy.
    /// Returns the positions assigned, in batch order.
    @discardableResult
    public func append(_ payloads: [[UInt8]], flags: UInt8 = 0) throws(StoreError) -> ClosedRange<UInt64> {
        let range = try enqueue(count: payloads.count, flags: flags, completion: nil, blocking: true,
                                sizeOf: { payloads[$0].count },
                                withBytes: { i, body in payloads[i].withUnsafeBytes { body($0, Self.noBytes) } })
        try waitForCompletion(range)
        return range
    }

    /// Appends a batch of raw payloads and waits until it completes under the fsync policy.
    @discardableResult
    public func append(_ payloads: [UnsafeRawBufferPointer], flags: UInt8 = 0) throws(StoreError) -> ClosedRange<UInt64> {
        let range = try enqueue(count: payloads.count, flags: flags, completion: nil, blocking: true,
                                sizeOf: { payloads[$0].count }, withBytes: { i, body in body(payloads[i], Self.noBytes) })
        try waitForCompletion(range)
        return range
    }

    /// Appends a batch without waiting for the write.
    ///
    /// The payload bytes are copied before this method returns, and positions
    /// are assigned in call order. `completion` runs once the batch is written
    /// (and fsynced under `always`) on the log's writer thread, or on an
    /// appender that wrote a small append inline (see `inlineWriteLimit`; it
    /// runs every completion queued before it, in order). Keep it short (hand
    /// off to an event loop), take no lock that an appender may hold while it
    /// calls `append`, and do not call the blocking `append` or ``sync()``
    /// from it (they throw; this API and ``close()`` are fine there).
    /// When the batch is rejected up front (empty,
    /// too large, log closed or failed) `completion` runs on the calling thread
    /// before this method returns. The call may wait briefly when more than
    /// `maxPendingBytes` are queued (back-pressure for pipeline workers).
    public func append(_ payloads: [[UInt8]], flags: UInt8 = 0, completion: @escaping Completion) {
        do {
            _ = try enqueue(count: payloads.count, flags: flags, completion: completion, blocking: false,
                            sizeOf: { payloads[$0].count },
                            withBytes: { i, body in payloads[i].withUnsafeBytes { body($0, Self.noBytes) } })
        } catch {
            completion(.failure(error))
        }
    }

    /// Raw-buffer variant of ``append(_:flags:completion:)-([[UInt8]],_,_)``; the bytes
    /// only need to stay valid until this method returns.
    public func append(_ payloads: [UnsafeRawBufferPointer], flags: UInt8 = 0, completion: @escaping Completion) {
        do {
            _ = try enqueue(count: payloads.count, flags: flags, completion: completion, blocking: false,
                            sizeOf: { payloads[$0].count }, withBytes: { i, body in body(payloads[i], Self.noBytes) })
        } catch {
            completion(.failure(error))
        }
    }

    /// Appends `count` records without waiting, each the concatenation of two
    /// byte ranges (`parts(i)`: for example an event as its producer sent it,
    /// then the fields the gateway stamped), and returns the positions
    /// assigned, so that the caller can use them before the write completes.
    ///
    /// As ``append(_:flags:completion:)-([[UInt8]],_,_)``: the bytes are
    /// copied before this method returns; `completion` runs on the writer
    /// thread once the records are written (and fsynced under `always`).
    /// When the batch is rejected up front, `completion` runs with the
    /// failure before this method returns, and the result is nil. When an
    /// inline write fails, `completion` also runs with the failure before
    /// this method returns, but the positions assigned are returned: always
    /// take the outcome from `completion`.
    ///
    /// `inlineWriteLimit`: when everything queued is at most this many bytes
    /// (at most ``inlineLimitDuringSync`` while the writer thread is in the
    /// periodic fsync, sealing a segment or making the spare segment),
    /// nobody else writes, no fsync is due before completion (not under
    /// ``FsyncPolicy/always``) and everything queued goes to the segment
    /// written last (no roll), the calling thread writes the bytes itself
    /// (one `pwrite` into the page cache, never an fsync) and runs
    /// `completion` before this method returns, instead of waking the
    /// writer thread. 0 (the default) never does. At low rates this saves
    /// the two thread wake-ups of the hand-off; at high rates the batches are
    /// larger than the limit, or the writer is busy, and the caller does not
    /// wait for writes.
    @discardableResult
    public func append(count: Int, flags: UInt8 = 0, inlineWriteLimit: Int = 0,
                       parts: (Int) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer),
                       completion: @escaping Completion) -> ClosedRange<UInt64>? {
        do {
            return try enqueue(count: count, flags: flags, completion: completion, blocking: false, inlineWriteLimit: inlineWriteLimit,
                               sizeOf: { let (a, b) = parts($0); return a.count + b.count },
                               withBytes: { i, body in let (a, b) = parts(i); body(a, b) })
        } catch {
            completion(.failure(error))
            return nil
        }
    }

    static var noBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    /// Waits until everything appended so far is fsynced, whatever the policy.
    public func sync() throws(StoreError) {
        lock.lock()
        defer { lock.unlock() }
        try checkUsableLocked()
        try checkNotWriterLocked("sync()")
        let target = nextPosition &- 1
        if target <= durablePositionStorage { return }
        syncTarget = max(syncTarget, target)
        workAvailable.signal()
        while durablePositionStorage < target {
            if let failure { throw failure }
            if writerExited { throw StoreError(.closed, "event log \(configuration.directory) was closed during sync") }
            progress.wait(lock)
        }
    }

    /// Writes and fsyncs everything queued, stops the writer thread and closes
    /// the files. Later calls fail with ``StoreError/Code/closed``. Idempotent.
    public func close() {
        lock.lock()
        if closed {
            lock.unlock()
            return
        }
        closed = true
        closing = true
        workAvailable.broadcast()
        spaceAvailable.broadcast()
        let onWriter = isWriterThreadLocked
        let thread = writerThread
        writerThread = nil
        lock.unlock()
        // From a completion (on the writer thread) the writer finishes on its own.
        if let thread {
            if onWriter { pthread_detach(thread) } else { pthread_join(thread, nil) }
        }
    }

    /// True on the writer thread, and on an appender while it holds the
    /// writing role (it runs completions then): neither may wait for writes.
    var isWriterThreadLocked: Bool {
        let me = pthread_self()
        if let writingThread, pthread_equal(writingThread, me) != 0 { return true }
        guard let writerIdentity else { return false }
        return pthread_equal(writerIdentity, me) != 0
    }

    func checkNotWriterLocked(_ call: String) throws(StoreError) {
        if isWriterThreadLocked {
            throw StoreError(.invalidArgument,
                             "\(call) would wait for the writer thread of event log \(configuration.directory), but it was called from an append completion, which runs on that thread; use the completion API there")
        }
    }

    // MARK: internals

    func checkUsableLocked() throws(StoreError) {
        if closing || closed {
            throw StoreError(.closed, "event log \(configuration.directory) is closed", path: configuration.directory)
        }
        if let failure { throw failure }
    }

    /// Encodes a batch into the pending buffer, assigns positions and wakes the writer.
    @inline(__always)
    func enqueue(count: Int, flags: UInt8, completion: Completion?, blocking: Bool, inlineWriteLimit: Int = 0,
                 sizeOf: (Int) -> Int,
                 withBytes: (Int, (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) -> Void) throws(StoreError) -> ClosedRange<UInt64> {
        guard count > 0 else { throw StoreError(.invalidArgument, "append needs at least one payload") }
        var total = 0
        let maxRecord = configuration.maxRecordBytes
        for i in 0..<count {
            let size = sizeOf(i)
            if size > maxRecord {
                throw StoreError(.recordTooLarge,
                                 "payload \(i) of the batch has \(size) bytes; the maximum record size is \(maxRecord) bytes (maxRecordBytes)")
            }
            total += LogRecordHeader.size + size
        }

        lock.lock()
        defer { lock.unlock() }
        try checkUsableLocked()
        if blocking { try checkNotWriterLocked("a blocking append") }
        // Completions run on the writer thread, which must never wait for itself.
        while !pending.isEmpty && pending.count + total > configuration.maxPendingBytes && failure == nil && !closing
                && !isWriterThreadLocked {
            spaceAvailable.wait(lock)
        }
        try checkUsableLocked()

        // Plan segment rolls so that file creation failures leave nothing half-done.
        let active = segments[segments.count - 1]
        let segmentLimit = Int64(configuration.segmentBytes)
        var rollIndices: [Int] = []
        var size = active.byteSize
        var nonEmpty = !active.isEmpty
        for i in 0..<count {
            let recordSize = Int64(LogRecordHeader.size + sizeOf(i))
            if nonEmpty && size + recordSize > segmentLimit {
                rollIndices.append(i)
                size = 0
            }
            size += recordSize
            nonEmpty = true
        }
        var newSegments: [LogSegment] = []
        if !rollIndices.isEmpty {
            newSegments.reserveCapacity(rollIndices.count)
            for i in rollIndices {
                do {
                    newSegments.append(try createSegment(firstPosition: nextPosition &+ UInt64(i)))
                } catch {
                    for created in newSegments { try? PosixFile.unlinkIfPresent(created.path) }
                    segmentsToReserve.removeAll { queued in newSegments.contains { $0 === queued } }
                    throw error
                }
            }
            segments.append(contentsOf: newSegments)
        }

        let timestamp = max(configuration.clock(), lastTimestamp)
        lastTimestamp = timestamp
        let first = nextPosition
        let indexInterval = configuration.indexIntervalBytes
        var segment = active
        var rollCursor = 0
        let start = pending.count
        let destination = pending.reserve(total)
        if pendingChunks.last?.segment !== segment {
            pendingChunks.append(PendingChunk(segment: segment, bufferStart: start, fileOffset: segment.byteSize))
        }
        var offset = 0
        for i in 0..<count {
            if rollCursor < rollIndices.count && rollIndices[rollCursor] == i {
                segment = newSegments[rollCursor]
                rollCursor += 1
                pendingChunks.append(PendingChunk(segment: segment, bufferStart: start + offset, fileOffset: 0))
            }
            let position = nextPosition
            nextPosition &+= 1
            let recordStart = destination + offset
            var payloadCount = 0
            withBytes(i) { payload, tail in
                payloadCount = payload.count + tail.count
                let header = LogRecordHeader(length: UInt32(payloadCount), flags: flags,
                                             position: position, timestamp: timestamp)
                if let base = payload.baseAddress, payload.count > 0 {
                    (recordStart + LogRecordHeader.size).copyMemory(from: base, byteCount: payload.count)
                }
                if let base = tail.baseAddress, tail.count > 0 {
                    (recordStart + LogRecordHeader.size + payload.count).copyMemory(from: base, byteCount: tail.count)
                }
                header.encode(into: recordStart,
                              payload: UnsafeRawBufferPointer(start: recordStart + LogRecordHeader.size, count: payloadCount))
            }
            let recordSize = LogRecordHeader.size + payloadCount
            segment.noteRecord(position: position, timestamp: timestamp, size: recordSize, indexInterval: indexInterval)
            offset += recordSize
        }
        pending.count = start + offset
        stats.appendCalls &+= 1
        stats.records &+= UInt64(count)
        let range = first...(nextPosition &- 1)
        pendingLast = range.upperBound
        if let completion { pendingCompletions.append(PendingCompletion(range: range, callback: completion)) }
        if completion != nil && mayWriteInlineLocked(limit: inlineWriteLimit) {
            let wasDirty = dirty
            _ = writePendingLocked(mustSync: false)
            // The writer thread arms its fsync timer on the first unsynced
            // write, takes what others queued meanwhile, or waits for the role.
            if (dirty && !wasDirty) || writerWaitsForRole || !pending.isEmpty { workAvailable.signal() }
        } else {
            workAvailable.signal()
        }
        return range
    }

    func waitForCompletion(_ range: ClosedRange<UInt64>) throws(StoreError) {
        lock.lock()
        defer { lock.unlock() }
        try checkNotWriterLocked("a blocking append")
        while completedPositionStorage < range.upperBound {
            if let failure { throw failure }
            if writerExited {
                throw StoreError(.closed, "event log \(configuration.directory) closed before positions \(range) were written")
            }
            progress.wait(lock)
        }
    }

    /// Creates an empty segment file, from the spare segment when the writer
    /// thread has one ready (caller holds the lock or owns the log exclusively).
    func createSegment(firstPosition: UInt64) throws(StoreError) -> LogSegment {
        let path = configuration.directory + "/" + LogSegment.baseName(firstPosition) + ".log"
        if let spare = takeSpareLocked(renamingTo: path) {
            return LogSegment(directory: configuration.directory, firstPosition: firstPosition, fd: spare)
        }
        let fd = try PosixFile.open(path, flags: O_RDWR | O_CREAT | O_EXCL)
        let segment = LogSegment(directory: configuration.directory, firstPosition: firstPosition, fd: fd)
        if !spareUnsupported { segmentsToReserve.append(segment) }
        return segment
    }

    /// Allocates the disk blocks of the segment the log opens on, up to
    /// ``EventLogConfiguration/segmentBytes``, without changing its size
    /// (so recovery, reads and retention see only what was written); later
    /// segments come reserved from the spare, or are reserved by the writer
    /// thread after a roll that had none (EventLog+Spare.swift). On ext4
    /// (delayed allocation) the fsync otherwise allocates the blocks of
    /// everything written since the last one, and a `pwrite` to the same
    /// file meanwhile stalled for up to 10 ms (docs/storage.md). Best
    /// effort: where the file system cannot, appends work as before, and no
    /// spares are made.
    func reserveSpace(_ segment: LogSegment) {
        if segment.byteSize < Int64(configuration.segmentBytes)
            && PosixFile.reserve(segment.fd, length: configuration.segmentBytes) == .unsupported {
            spareUnsupported = true
        }
        spareWanted = !spareUnsupported
    }
}
