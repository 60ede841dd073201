import Atomics

/// A dedicated thread that owns one `MPSCRing` and runs a handler on the batches
/// it drains, parking (through a `WorkerSignal`) while the ring is empty.
///
/// Producers (event loops) call `submit(_:)`; when it returns `false` they stop
/// reading and call `notifyWhenSpaceAvailable(_:)`. `stop()` processes everything
/// submitted before it and joins the thread.
public final class PipelineWorker<Element: Sendable>: @unchecked Sendable { // safe: `handler` and `batch` are touched only by the worker thread (the handler was `sending` into init); shared state is the thread-safe ring and signal, atomics, and `thread`, which only `stop()` touches under `stopLock`
    /// The ring this worker drains (the worker thread is its only consumer).
    @usableFromInline
    let ring: MPSCRing<Element>
    /// The signal producers use to wake this worker.
    @usableFromInline
    let signal: WorkerSignal
    /// The maximum number of elements handed to one handler call.
    public let batchSize: Int
    /// The thread's name (at most 15 bytes are shown by the OS).
    public let name: String

    private let handler: ([Element]) -> Void
    /// Counter 0: stop requested (0/1).
    private let flags: PaddedAtomicCounters
    private let stopLock: PThreadMutex
    private var thread: WorkerThread?

    /// Starts a worker thread.
    ///
    /// - Parameters:
    ///   - name: the thread name, for debuggers and `top -H`.
    ///   - capacity: ring capacity, a power of two.
    ///   - lowWaterMark: see `MPSCRing.init(capacity:lowWaterMark:)`.
    ///   - batchSize: maximum elements per handler call (> 0).
    ///   - spinCount: see `WorkerSignal.init(spinCount:)`.
    ///   - handler: called on the worker thread only, with 1...batchSize elements in
    ///     FIFO order. The array's storage is reused for the next batch: keeping the
    ///     array is safe but makes the worker allocate a new one.
    public init(
        name: String,
        capacity: Int,
        lowWaterMark: Int? = nil,
        batchSize: Int = 64,
        spinCount: Int = 256,
        handler: sending @escaping ([Element]) -> Void
    ) {
        precondition(batchSize > 0, "PipelineWorker \(name): batchSize must be > 0, got \(batchSize)")
        self.name = name
        self.ring = MPSCRing(capacity: capacity, lowWaterMark: lowWaterMark)
        self.signal = WorkerSignal(spinCount: spinCount)
        self.batchSize = batchSize
        self.handler = handler
        self.flags = PaddedAtomicCounters(count: 1)
        self.stopLock = PThreadMutex()
        self.thread = nil
        self.start()
    }

    deinit {
        // The running thread holds a strong reference, so deinit only runs after
        // `stop()` joined it (or if the thread never started).
        self.flags.deallocate()
        self.stopLock.destroy()
    }

    /// Queues `element` and wakes the worker if it sleeps. Never blocks; any thread.
    ///
    /// - Returns: `false` if the ring is full: the element was not queued; stop
    ///   reading and call `notifyWhenSpaceAvailable(_:)`.
    @inlinable
    public func submit(_ element: Element) -> Bool {
        guard self.ring.tryPush(element) else { return false }
        self.signal.notify()
        return true
    }

    /// The ring's capacity.
    public var capacity: Int { self.ring.capacity }

    /// The number of queued elements at some recent instant (ring depth metric).
    public var approximateCount: Int { self.ring.approximateCount }

    /// How many times the worker thread has parked (slept) so far.
    public var parkCount: Int { self.signal.parkCount }

    /// Calls `callback` once the ring has drained to its low-water mark (see
    /// `MPSCRing.notifyWhenSpaceAvailable(_:)`). Any thread.
    public func notifyWhenSpaceAvailable(_ callback: @escaping @Sendable () -> Void) {
        self.ring.notifyWhenSpaceAvailable(callback)
    }

    /// Stops the worker: it finishes the elements submitted before this call, then
    /// its thread exits and is joined. Idempotent. Call it after producers stopped
    /// submitting (elements submitted concurrently with or after `stop()` may be
    /// left in the ring, released without being handled). Must not be called from
    /// the worker thread (from inside the handler).
    public func stop() {
        self.stopLock.withLock {
            guard let thread = self.thread else { return }
            precondition(
                !thread.isCurrent,
                "PipelineWorker \(self.name): stop() called from the worker's own handler would deadlock"
            )
            // release: pairs with the worker's acquire load, so everything this
            // thread did before (its last submits) is visible to the final drain.
            self.flags[0].store(1, ordering: .releasing)
            self.signal.wake()
            thread.join()
            self.thread = nil
        }
    }

    private func start() {
        self.thread = WorkerThread(name: self.name) { self.run() }
    }

    private func run() {
        var batch: [Element] = []
        batch.reserveCapacity(self.batchSize)
        while true {
            self.ring.drain(max: self.batchSize) { batch.append($0) }
            if !batch.isEmpty {
                self.handler(batch)
                batch.removeAll(keepingCapacity: true)
                continue
            }
            // acquire: pairs with the release store in `stop()`.
            if self.flags[0].load(ordering: .acquiring) == 1 {
                break
            }
            self.signal.wait {
                // relaxed: a hint to stop waiting; the acquire load above decides.
                self.ring.hasElementReady || self.flags[0].load(ordering: .relaxed) == 1
            }
        }
        // Final drain: everything pushed before `stop()` set the flag.
        while self.ring.drain(max: self.batchSize, { batch.append($0) }) > 0 {
            self.handler(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }
}
