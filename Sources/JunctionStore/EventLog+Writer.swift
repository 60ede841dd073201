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
    func writerLoop() {
        let policy = configuration.fsync
        let retentionActive = configuration.retention != .unlimited
        let retentionEvery = UInt64(max(configuration.retentionCheckMilliseconds, 1)) * 1_000_000
        var chunks: [PendingChunk] = []
        var completions: [PendingCompletion] = []
        var current: LogSegment?
        var dirty = false
        var lastSync = monotonicNanos()
        var nextRetention = lastSync + retentionEvery

        lock.lock()
        current = segments.last
        while true {
            if failure == nil && !pending.isEmpty {
                let buffer = pending
                pending = spare
                swap(&chunks, &pendingChunks)
                swap(&completions, &pendingCompletions)
                let last = pendingLast
                let mustSync = policy == .always || syncTarget > durablePositionStorage
                spaceAvailable.broadcast()
                lock.unlock()

                var writeError: StoreError?
                var sealedAny = false
                var syncs: UInt64 = 0
                do throws(StoreError) {
                    for k in chunks.indices {
                        let chunk = chunks[k]
                        if let previous = current, previous !== chunk.segment {
                            try seal(previous)
                            sealedAny = true
                        }
                        current = chunk.segment
                        let end = k + 1 < chunks.count ? chunks[k + 1].bufferStart : buffer.count
                        try PosixFile.writeAll(chunk.segment.fd, buffer.base + chunk.bufferStart,
                                               count: end - chunk.bufferStart, at: chunk.fileOffset,
                                               path: chunk.segment.path)
                    }
                    if mustSync, let segment = current {
                        syncs += 1
                        try PosixFile.dataSync(segment.fd, path: segment.path)
                        dirty = false
                        lastSync = monotonicNanos()
                    } else {
                        dirty = true
                    }
                } catch {
                    writeError = error
                }
                chunks.removeAll(keepingCapacity: true)
                let writtenBytes = buffer.count
                buffer.reset(keepCapacity: pendingInitialCapacity)

                lock.lock()
                spare = buffer
                stats.groupCommits &+= 1
                stats.syncs &+= syncs
                stats.bytesWritten &+= UInt64(writtenBytes)
                if let writeError {
                    failure = StoreError(.failed,
                                         "writing event log \(configuration.directory) failed, appends are refused until it is reopened: \(writeError.message)",
                                         path: writeError.path, systemErrno: writeError.systemErrno)
                } else {
                    writtenPosition = last
                    completedPositionStorage = last
                    if !dirty { durablePositionStorage = last }
                }
                if failure != nil {
                    // Appends queued behind the failed write will never be written.
                    completions.append(contentsOf: pendingCompletions)
                    pendingCompletions.removeAll()
                    pendingChunks.removeAll()
                    pending.count = 0
                }
                let outcome = failure
                progress.broadcast()
                lock.unlock()
                for completion in completions {
                    if let outcome {
                        completion.callback(.failure(outcome))
                    } else {
                        completion.callback(.success(completion.range))
                    }
                }
                completions.removeAll(keepingCapacity: true)
                if sealedAny && retentionActive { _ = try? enforceRetention() }
                lock.lock()
                continue
            }

            let wantsSync = syncTarget > durablePositionStorage && failure == nil
            let intervalDue: Bool
            var deadline: UInt64 = .max
            if case .interval(let ms) = policy, dirty, failure == nil {
                deadline = lastSync + UInt64(ms) * 1_000_000
                intervalDue = monotonicNanos() >= deadline
            } else {
                intervalDue = false
            }
            if wantsSync || intervalDue || (closing && dirty && failure == nil) {
                let target = writtenPosition
                let segment = current
                lock.unlock()
                var syncError: StoreError?
                if let segment {
                    do throws(StoreError) { try PosixFile.dataSync(segment.fd, path: segment.path) } catch { syncError = error }
                }
                dirty = false
                lastSync = monotonicNanos()
                lock.lock()
                stats.syncs &+= 1
                if let syncError {
                    failure = StoreError(.failed,
                                         "fsync of event log \(configuration.directory) failed, appends are refused until it is reopened: \(syncError.message)",
                                         path: syncError.path, systemErrno: syncError.systemErrno)
                } else {
                    durablePositionStorage = max(durablePositionStorage, target)
                }
                progress.broadcast()
                if let failure, !pendingCompletions.isEmpty {
                    let orphaned = pendingCompletions
                    pendingCompletions.removeAll()
                    pendingChunks.removeAll()
                    pending.count = 0
                    lock.unlock()
                    for completion in orphaned { completion.callback(.failure(failure)) }
                    lock.lock()
                }
                continue
            }
            if closing { break }

            if retentionActive {
                let now = monotonicNanos()
                if now >= nextRetention {
                    lock.unlock()
                    _ = try? enforceRetention()
                    lock.lock()
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
        segments.removeAll()   // closes the files once readers let go of them
        progress.broadcast()
        spaceAvailable.broadcast()
        lock.unlock()
    }

    /// Makes a fully written segment durable and persists its index. Runs on the
    /// writer thread after the segment's last bytes were written, before any
    /// completion for records in the next segment fires.
    func seal(_ segment: LogSegment) throws(StoreError) {
        try PosixFile.dataSync(segment.fd, path: segment.path)
        // The next segment's directory entry must be durable too.
        try PosixFile.syncDirectory(configuration.directory)
        // The index is an optimisation (validated on load); a failure to write it is not fatal.
        try? SegmentIndexFile.write(segment)
        lock.withLock { segment.sealComplete = true }
    }
}
