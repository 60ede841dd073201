#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EventLog {
    /// Starts the writer thread, which retains the log until ``close()``.
    func startWriter() throws(StoreError) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let log = Unmanaged<EventLog>.fromOpaque(raw!).takeRetainedValue()
            log.writerLoop()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<EventLog>.fromOpaque(context).release()
            throw StoreError(.io, "cannot start the writer thread of event log \(configuration.directory): pthread_create returned \(rc)")
        }
        lock.withLock {
            writerThread = thread
            writerIdentity = thread
        }
    }

    /// The writer thread: takes the pending buffer, writes it segment by
    /// segment, seals full segments, fsyncs per policy, completes appends.
    /// It writes only while holding the writing role
    /// (``claimWritingLocked()``), which a small append may hold instead
    /// (``writePendingLocked(mustSync:)`` from `enqueue`); fsyncs made with a
    /// write hold it too (under `always`, and for a `sync()` that finds
    /// writes pending); the periodic one, a `sync()` with nothing pending
    /// and the last one at close (``syncWithoutRoleLocked()``) and, under
    /// `interval` and `never`, the seal of a full segment
    /// (``sealWithoutRoleLocked()``, before the other steps) do not, nor
    /// does making the spare segment
    /// (``prepareSegmentsUnlockingLocked()``, after the seals and a due
    /// interval fsync). Before one of these steps, what is already queued is
    /// written once; then the step goes before further pending writes.
    func writerLoop() {
        let policy = configuration.fsync
        let retentionActive = configuration.retention != .unlimited
        let retentionEvery = UInt64(max(configuration.retentionCheckMilliseconds, 1)) * 1_000_000
        var nextRetention = monotonicNanos() + retentionEvery

        // Whether the queued appends were just written ahead of a step
        // without the role (below), so that the step itself comes next.
        var wroteAheadOfStep = false
        lock.lock()
        while true {
            if writing {
                // An appender is writing; it wakes us when it is done.
                writerWaitsForRole = true
                workAvailable.wait(lock)
                writerWaitsForRole = false
                continue
            }
            let sealDue = !segmentsToSeal.isEmpty && failure == nil
            var deadline: UInt64 = .max
            if case .interval(let ms) = policy, dirty, failure == nil {
                deadline = lastSync + UInt64(ms) * 1_000_000
            }
            let intervalDue = deadline != .max && monotonicNanos() >= deadline && !closing
            // The steps without the role (a seal, a due interval fsync, the
            // spare) take milliseconds. What is already queued is written
            // first: its producers may have nothing else in flight, so no
            // appender would write it inline meanwhile, and their acks would
            // wait for the disk (at full speed, stalls of up to 8 ms at an
            // interval fsync). Only a write that needs no fsync (which must
            // not make records durable before an earlier segment's seal) and
            // stays in the segment written last: one that crossed into the
            // next would queue a seal ahead of the step, and under sustained
            // load that could repeat and postpone the step for good. Once per
            // step, and nothing else comes between them (inline writers
            // never cross segments either), so the step comes under load too.
            if !wroteAheadOfStep && failure == nil && !pending.isEmpty
                && (sealDue || intervalDue || segmentPreparationDueLocked)
                && pendingWritableWithoutFsyncOrRollLocked {
                wroteAheadOfStep = true
                _ = writePendingLocked(mustSync: false)  // never seals: no fsync, no crossing
                continue
            }
            wroteAheadOfStep = false
            if sealDue {
                // Before the other steps: no fsync may mark later records
                // durable while an earlier segment is not.
                sealWithoutRoleLocked()
                if retentionActive { enforceRetentionUnlockingLocked() }
                continue
            }
            // A due interval fsync goes before further pending writes: under
            // sustained load `pending` is rarely empty here, and appenders
            // keep writing during the fsync.
            if intervalDue {
                syncWithoutRoleLocked()
                continue
            }
            if segmentPreparationDueLocked {
                // Next (after a roll, once a due fsync went): the next
                // segment's file, ready before its roll; appenders write
                // inline meanwhile.
                prepareSegmentsUnlockingLocked()
                continue
            }
            if failure == nil && !pending.isEmpty {
                let mustSync = policy == .always || syncTarget > durablePositionStorage
                let sealedAny = writePendingLocked(mustSync: mustSync)
                if sealedAny && retentionActive { enforceRetentionUnlockingLocked() }
                continue
            }
            if failure == nil && (closing ? dirty : syncTarget > durablePositionStorage) {
                // Asked for by `sync()`, with everything written; or the last
                // one, at close (no appender writes any more: none may
                // write inline once the log is closing).
                syncWithoutRoleLocked()
                continue
            }
            if closing { break }

            if retentionActive {
                let now = monotonicNanos()
                if now >= nextRetention {
                    enforceRetentionUnlockingLocked()
                    nextRetention = monotonicNanos() + retentionEvery
                    continue
                }
                deadline = min(deadline, nextRetention)
            }
            if deadline == .max {
                workAvailable.wait(lock)
            } else {
                workAvailable.wait(lock, untilMonotonicNanos: deadline)
            }
        }
        writerExited = true
        discardSpareLocked()
        segments.removeAll()   // closes the files once readers let go of them
        progress.broadcast()
        spaceAvailable.broadcast()
        lock.unlock()
    }

    /// The periodic fsync, one asked for by `sync()` once nothing is pending,
    /// and the last one at close: it runs without the writing role, so appends keep being
    /// written, and completed, while the disk flushes (with the role held,
    /// every append of the interval waited for the fsync, up to tens of
    /// milliseconds, and so did its producer's acks). Meanwhile appenders
    /// may write larger groups themselves (see ``mayWriteInlineLocked(limit:)``),
    /// since this thread is busy. What was written when it started is
    /// durable when it returns.
    /// Called with the lock held and the role free; returns with the lock held.
    func syncWithoutRoleLocked() {
        guard failure == nil else { return }
        let target = writtenPosition
        guard let segment = currentSegment else {
            // Nothing was ever written in this process: nothing to flush.
            durablePositionStorage = max(durablePositionStorage, target)
            dirty = false
            lastSync = monotonicNanos()
            progress.broadcast()
            return
        }
        let syncError = flushWithoutRoleLocked(segment, hook: configuration.beforeSync) { segment throws(StoreError) in
            try PosixFile.dataSync(segment.fd, path: segment.path)
        }
        finishSyncLocked(target: target, error: syncError)
    }

    /// Runs `flush` on `segment` busy without the role
    /// (``busyWithoutRoleUnlockingLocked(_:)``); `hook` (tests) may hold it
    /// or make it fail. Returns its error. Lock held on entry and on return.
    func flushWithoutRoleLocked(_ segment: LogSegment, hook: (@Sendable () -> Bool)?,
                                _ flush: (LogSegment) throws(StoreError) -> Void) -> StoreError? {
        busyWithoutRoleUnlockingLocked { () -> StoreError? in
            if hook?() == true { return StoreError(.io, "fdatasync failed (injected by a test)", path: segment.path) }
            do throws(StoreError) { try flush(segment) } catch { return error }
            return nil
        }
    }

    /// Writer thread: runs `body` with the lock released and
    /// `writerBusyWithoutRole` set, so that appenders write what is pending
    /// themselves meanwhile (``mayWriteInlineLocked(limit:)``). Lock held on
    /// entry and on return.
    func busyWithoutRoleUnlockingLocked<Result>(_ body: () -> Result) -> Result {
        writerBusyWithoutRole = true
        lock.unlock()
        let result = body()
        lock.lock()
        writerBusyWithoutRole = false
        return result
    }

    /// After an fsync made outside ``writePendingLocked(mustSync:)`` (lock
    /// held, role free): makes `target` durable, or fails the log and the
    /// appends queued behind the failed fsync (which no one will write).
    func finishSyncLocked(target: UInt64, error syncError: StoreError?) {
        lastSync = monotonicNanos()
        stats.syncs &+= 1
        if let syncError {
            failure = logFailure("fsync of", syncError)
        } else {
            durablePositionStorage = max(durablePositionStorage, target)
        }
        // Writes that landed during the fsync are not covered by it.
        dirty = writtenPosition > durablePositionStorage
        progress.broadcast()
        if let failure, !writing { failQueuedAppendsLocked(failure) }
    }

    /// Fails every append queued for writing (the log failed: nobody will
    /// write them), in order. Lock held on entry and on return; released
    /// while the completions run.
    func failQueuedAppendsLocked(_ failure: StoreError) {
        guard !pendingCompletions.isEmpty else { return }
        let orphaned = pendingCompletions
        pendingCompletions.removeAll()
        pendingChunks.removeAll()
        pending.count = 0
        lock.unlock()
        for completion in orphaned { completion.callback(.failure(failure)) }
        lock.lock()
    }

    /// Takes the writing role (the lock is held and the role is free): only
    /// its holder writes segment files and uses `currentSegment` and the
    /// `writing…` buffers outside the lock (the fsyncs without the role read
    /// `currentSegment` under it, and fsync with it released).
    func claimWritingLocked() {
        writing = true
        writingThread = pthread_self()
    }

    func releaseWritingLocked() {
        writing = false
        writingThread = nil
    }

    /// Whether the calling thread may write what is pending itself instead
    /// of waking the writer thread: the pending bytes are at most `limit`
    /// (or ``inlineLimitDuringSync`` while the writer thread is busy in the
    /// periodic fsync, a seal or making the spare segment),
    /// nobody else writes, no fsync is due before the completions (so the
    /// caller never waits for the disk) and everything pending goes to the
    /// segment written last (rolling to a new segment is the writer thread's).
    func mayWriteInlineLocked(limit: Int) -> Bool {
        // Not while the writer thread waits for the role (it found it held,
        // with work of its own, such as a due interval fsync): a run of
        // inline writers must not keep pushing that work back.
        guard limit > 0, pending.count <= (writerBusyWithoutRole ? max(limit, Self.inlineLimitDuringSync) : limit), !writing, !writerWaitsForRole, failure == nil, !closing
        else { return false }
        return pendingWritableWithoutFsyncOrRollLocked
    }

    /// Whether writing what is pending needs no fsync before its completions
    /// (not under `always`, no `sync()` waiting) and starts no new segment
    /// (so it queues no seal): the rule for an appender's inline write, and
    /// for the writer thread's write ahead of a step without the role.
    var pendingWritableWithoutFsyncOrRollLocked: Bool {
        configuration.fsync != .always && syncTarget <= durablePositionStorage && pendingStaysInCurrentSegmentLocked
    }

    /// Whether everything queued goes to the segment written last (writing
    /// it starts no new segment, so it queues no seal).
    var pendingStaysInCurrentSegmentLocked: Bool {
        for chunk in pendingChunks where chunk.segment !== currentSegment { return false }
        return true
    }

    /// Writes everything pending (and fsyncs it when `mustSync`), then runs
    /// the completions, in append order. Called with the lock held, pending
    /// bytes, no failure and the writing role free; returns with the lock
    /// held and the role free again, and whether it sealed a segment. The
    /// role is kept until the completions ran, so that the next batch's
    /// completions cannot overtake them.
    func writePendingLocked(mustSync: Bool) -> Bool {
        claimWritingLocked()
        let buffer = pending
        pending = spare
        swap(&writingChunks, &pendingChunks)
        swap(&writingCompletions, &pendingCompletions)
        let last = pendingLast
        spaceAvailable.broadcast()
        lock.unlock()

        var writeError: StoreError?
        var sealedAny = false
        var syncs: UInt64 = 0
        var synced = false
        // A full segment is sealed here, holding the role, only when this
        // write must be durable anyway; otherwise the writer thread seals it
        // afterwards without the role (a seal is an fsync of up to a whole
        // segment: tens of milliseconds during which every append waited).
        var unsealed: [LogSegment] = []
        do throws(StoreError) {
            for k in writingChunks.indices {
                let chunk = writingChunks[k]
                if let previous = currentSegment, previous !== chunk.segment {
                    if !mustSync {
                        unsealed.append(previous)
                    } else {
                        try seal(previous)
                        sealedAny = true
                    }
                }
                currentSegment = chunk.segment
                let end = k + 1 < writingChunks.count ? writingChunks[k + 1].bufferStart : buffer.count
                try PosixFile.writeAll(chunk.segment.fd, buffer.base + chunk.bufferStart,
                                       count: end - chunk.bufferStart, at: chunk.fileOffset,
                                       path: chunk.segment.path)
            }
            if mustSync, let segment = currentSegment {
                syncs += 1
                try PosixFile.dataSync(segment.fd, path: segment.path)
                synced = true
            }
        } catch {
            writeError = error
        }
        writingChunks.removeAll(keepingCapacity: true)
        let writtenBytes = buffer.count
        buffer.reset(keepCapacity: pendingInitialCapacity)

        lock.lock()
        if !unsealed.isEmpty {
            // Only the writer thread crosses segments (an inline writer never
            // does), and it seals them next.
            segmentsToSeal.append(contentsOf: unsealed)
        }
        // (A write that must be durable runs only with no seal pending: the
        // writer thread seals first, and it alone writes with `mustSync`.)
        assert(!synced || segmentsToSeal.isEmpty)
        if synced {
            dirty = false
            lastSync = monotonicNanos()
        } else if writeError == nil {
            dirty = true
        }
        spare = buffer
        stats.groupCommits &+= 1
        stats.syncs &+= syncs
        stats.bytesWritten &+= UInt64(writtenBytes)
        if let writeError {
            failure = logFailure("writing", writeError)
        } else if failure == nil {
            // (A periodic fsync that failed during this write failed the log:
            // these records are then not complete, and their appends fail.)
            writtenPosition = last
            completedPositionStorage = last
            if !dirty { durablePositionStorage = last }
        }
        let outcome = failure
        progress.broadcast()
        lock.unlock()
        for completion in writingCompletions {
            if let outcome {
                completion.callback(.failure(outcome))
            } else {
                completion.callback(.success(completion.range))
            }
        }
        writingCompletions.removeAll(keepingCapacity: true)
        lock.lock()
        if let failure {
            // Appends queued behind a failed write, or behind a periodic fsync
            // that failed while this thread ran completions (it leaves the
            // queue to the role holder), will never be written: fail them,
            // still holding the role so that they stay in order.
            failQueuedAppendsLocked(failure)
        }
        releaseWritingLocked()
        return sealedAny
    }

    /// Seals the oldest segment of ``segmentsToSeal`` without the writing
    /// role: appends go on being written to the next segment (by appenders
    /// themselves, up to ``inlineLimitDuringSync`` bytes, as during the
    /// periodic fsync). Records up to the segment's end become durable when
    /// it returns; a failure fails the log, like a failed periodic fsync.
    /// Lock held and role free on entry; returns with the lock held.
    func sealWithoutRoleLocked() {
        let segment = segmentsToSeal[0]
        let sealError = flushWithoutRoleLocked(segment, hook: configuration.beforeSeal) { segment throws(StoreError) in
            try seal(segment)
        }
        segmentsToSeal.removeFirst()
        if let sealError {
            failure = logFailure("sealing a segment of", sealError)
            segmentsToSeal.removeAll()
        } else {
            durablePositionStorage = max(durablePositionStorage, segment.lastPosition)
        }
        progress.broadcast()
        if let failure, !writing { failQueuedAppendsLocked(failure) }
    }

    /// The log's failure after `cause` (`action` names the step: "writing",
    /// "fsync of", …): appends are refused until the log is reopened.
    func logFailure(_ action: String, _ cause: StoreError) -> StoreError {
        StoreError(.failed,
                   "\(action) event log \(configuration.directory) failed, appends are refused until it is reopened: \(cause.message)",
                   path: cause.path, systemErrno: cause.systemErrno)
    }

    /// Runs retention with the lock released (it takes the lock itself and
    /// may delete files). Lock held on entry and on return.
    func enforceRetentionUnlockingLocked() {
        lock.unlock()
        _ = try? enforceRetention()
        lock.lock()
    }

    /// Makes a fully written segment durable and persists its index. Runs on the
    /// writer thread after the segment's last bytes were written: holding the
    /// role before any write to the next segment under `always` (and for a
    /// requested fsync), otherwise from ``sealWithoutRoleLocked()``.
    func seal(_ segment: LogSegment) throws(StoreError) {
        try PosixFile.dataSync(segment.fd, path: segment.path)
        // The reservation past the last record (up to a record's size) is
        // never written: give it back.
        PosixFile.trimToSize(segment.fd, path: segment.path)
        // The index speeds up opening (it is validated on load) and marks the
        // segment as sealed for recovery; a failure to write it is not fatal
        // (docs/storage.md says what a missing one means).
        _ = try? SegmentIndexFile.write(segment)
        // One directory fsync makes both the next segment's entry and the
        // index's rename durable.
        try PosixFile.syncDirectory(configuration.directory)
        lock.withLock { segment.sealComplete = true }
    }
}
