import Atomics

/// A bounded, lock-free, multi-producer single-consumer ring of `Element`s.
///
/// Event-loop threads (any number of producers) hand values to one pipeline
/// worker thread (the single consumer). The ring never blocks and never
/// allocates after `init`:
/// - `tryPush(_:)` returns `false` when the ring is full. The producer keeps the
///   value, stops reading its socket (back-pressure) and calls
///   `notifyWhenSpaceAvailable(_:)` to learn when to resume.
/// - `tryPop()` and `drain(max:_:)` take values in FIFO order (per producer:
///   values pushed by one thread are popped in the order that thread pushed them).
///
/// ## Algorithm
/// Dmitry Vyukov's bounded array queue. Each slot has a sequence number:
/// `sequence == position` means "free for the producer of `position`",
/// `sequence == position + 1` means "holds the element of `position`", and the
/// consumer frees it for the next lap with `position + capacity`. Producers claim
/// a position with a compare-and-swap on the shared enqueue position, write the
/// element, then publish it with a release store of the slot's sequence; the
/// consumer reads the sequence with acquire, moves the element out and frees the
/// slot with a release store. The element memory is therefore only ever accessed
/// by one thread at a time, handed over by release/acquire pairs on the slot's
/// sequence.
///
/// Progress: producers never wait for each other except to retry a failed
/// compare-and-swap. A producer preempted between claiming a slot and publishing
/// it makes the consumer see the ring as empty at that slot until it resumes
/// (elements pushed after it are not popped around it; that keeps FIFO order).
///
/// ## Threading contract
/// `tryPush` and `notifyWhenSpaceAvailable` may be called from any thread.
/// `tryPop`, `drain` and `hasElementReady` must only be called by one consumer
/// thread at a time (one `PipelineWorker` thread).
public final class MPSCRing<Element: Sendable>: @unchecked Sendable { // safe: slots are handed between threads only by release/acquire on per-slot sequence numbers, producers claim slots by CAS, the single consumer is a documented precondition, waiter callbacks are guarded by a mutex
    /// The number of elements the ring holds when full (a power of two).
    public let capacity: Int

    /// When a producer is waiting for space, it is notified once the ring holds at
    /// most this many elements.
    public let lowWaterMark: Int

    @usableFromInline
    let mask: Int

    /// `capacity` slots, each initialized to `nil`, holding an element only
    /// between its publication by a producer and its removal by the consumer.
    @usableFromInline
    let slots: UnsafeMutablePointer<Element?>

    /// `capacity` per-slot sequence numbers (see the type's documentation).
    @usableFromInline
    let sequences: UnsafeMutablePointer<Int.AtomicRepresentation>

    /// Counter 0: next enqueue position (producers). Counter 1: next dequeue
    /// position (written by the consumer only). Counter 2: number of registered
    /// space waiters.
    @usableFromInline
    let counters: PaddedAtomicCounters

    @usableFromInline
    static var enqueueIndex: Int { 0 }
    @usableFromInline
    static var dequeueIndex: Int { 1 }
    @usableFromInline
    static var waiterCountIndex: Int { 2 }

    /// Guards `spaceWaiters`.
    let waiterLock: PThreadMutex
    /// Callbacks waiting for the ring to drain to `lowWaterMark`; guarded by `waiterLock`.
    var spaceWaiters: [@Sendable () -> Void] = []

    /// Creates an empty ring.
    ///
    /// - Parameters:
    ///   - capacity: the maximum number of elements held; a power of two, at least 2.
    ///   - lowWaterMark: producers waiting for space are notified once the ring holds
    ///     at most this many elements; `0..<capacity`, default `capacity / 2`.
    public init(capacity: Int, lowWaterMark: Int? = nil) {
        precondition(
            capacity >= 2 && capacity & (capacity - 1) == 0,
            "MPSCRing: capacity must be a power of two >= 2, got \(capacity)"
        )
        let lowWaterMark = lowWaterMark ?? capacity / 2
        precondition(
            lowWaterMark >= 0 && lowWaterMark < capacity,
            "MPSCRing: lowWaterMark must be in 0..<\(capacity), got \(lowWaterMark)"
        )
        self.capacity = capacity
        self.lowWaterMark = lowWaterMark
        self.mask = capacity - 1
        self.slots = .allocate(capacity: capacity)
        self.slots.initialize(repeating: nil, count: capacity)
        self.sequences = .allocate(capacity: capacity)
        for index in 0..<capacity {
            (self.sequences + index).initialize(to: Int.AtomicRepresentation(index))
        }
        self.counters = PaddedAtomicCounters(count: 3)
        self.waiterLock = PThreadMutex()
    }

    deinit {
        // No other thread can hold a reference any more, so every slot is either
        // nil or holds a published element not yet popped: releasing all of them
        // releases exactly the elements still queued.
        self.slots.deinitialize(count: self.capacity)
        self.slots.deallocate()
        for index in 0..<self.capacity {
            _ = (self.sequences + index).pointee.dispose()
        }
        self.sequences.deinitialize(count: self.capacity)
        self.sequences.deallocate()
        self.counters.deallocate()
        self.waiterLock.destroy()
    }

    @inlinable
    @inline(__always)
    func sequence(at index: Int) -> UnsafeAtomic<Int> {
        UnsafeAtomic(at: self.sequences + index)
    }

    // MARK: Producers

    /// Appends `element` unless the ring is full. Never blocks; any thread.
    ///
    /// - Returns: `true` if the element was queued; `false` if the ring is full, in
    ///   which case the element was not consumed and the caller should apply
    ///   back-pressure (stop reading) and call `notifyWhenSpaceAvailable(_:)`.
    @inlinable
    public func tryPush(_ element: Element) -> Bool {
        let enqueue = self.counters[Self.enqueueIndex]
        // relaxed: the position is only a guess at which slot to try; the slot's
        // sequence number (loaded with acquire below) decides whether it is free.
        var position = enqueue.load(ordering: .relaxed)
        while true {
            let index = position & self.mask
            // acquire: pairs with the consumer's release store that freed the slot,
            // so its move of the previous element happens before our write.
            let sequence = self.sequence(at: index).load(ordering: .acquiring)
            let difference = sequence &- position
            if difference == 0 {
                // relaxed: the CAS only decides which producer owns `position`; no
                // data is published through the enqueue position (the element is
                // published by the release store of the slot's sequence below).
                let (exchanged, original) = enqueue.weakCompareExchange(
                    expected: position,
                    desired: position &+ 1,
                    successOrdering: .relaxed,
                    failureOrdering: .relaxed
                )
                if exchanged {
                    (self.slots + index).pointee = element
                    // release: publishes the element to the consumer's acquire load.
                    self.sequence(at: index).store(position &+ 1, ordering: .releasing)
                    return true
                }
                position = original
            } else if difference < 0 {
                // The slot still holds the element from the previous lap: full.
                return false
            } else {
                // Another producer claimed `position` first.
                // relaxed: as above, only a guess checked against the slot sequence.
                position = enqueue.load(ordering: .relaxed)
            }
        }
    }

    // MARK: Consumer

    /// Removes and returns the oldest element, or `nil` if none is ready.
    /// Consumer thread only. Prefer `drain(max:_:)` for more than one element: it
    /// checks for waiting producers once per call instead of once per element.
    @inlinable
    public func tryPop() -> Element? {
        guard let element = self.popOne() else { return nil }
        self.notifySpaceWaitersIfNeeded()
        return element
    }

    /// Removes up to `maxCount` elements in FIFO order, calling `body` with each
    /// (each slot is freed before `body` sees its element). Then, if a producer is
    /// waiting for space and the ring has drained to `lowWaterMark`, calls the
    /// waiting callbacks on this thread. Consumer thread only.
    ///
    /// - Returns: the number of elements removed.
    @inlinable
    @discardableResult
    public func drain(max maxCount: Int, _ body: (Element) throws -> Void) rethrows -> Int {
        var drained = 0
        defer {
            if drained > 0 { self.notifySpaceWaitersIfNeeded() }
        }
        while drained < maxCount, let element = self.popOne() {
            drained += 1
            try body(element)
        }
        return drained
    }

    /// Whether `tryPop()` would return an element now. Consumer thread only.
    @inlinable
    public var hasElementReady: Bool {
        // relaxed: only the consumer writes the dequeue position.
        let position = self.counters[Self.dequeueIndex].load(ordering: .relaxed)
        // acquire: like popOne, so a `true` answer also makes the element visible.
        return self.sequence(at: position & self.mask).load(ordering: .acquiring) == position &+ 1
    }

    /// The number of elements queued or being written, at some recent instant.
    /// Any thread; for metrics (ring depth) and tests, not for synchronization.
    public var approximateCount: Int {
        // relaxed: a momentary estimate; no memory is accessed based on it.
        let enqueued = self.counters[Self.enqueueIndex].load(ordering: .relaxed)
        // relaxed: as above.
        let dequeued = self.counters[Self.dequeueIndex].load(ordering: .relaxed)
        return min(max(enqueued &- dequeued, 0), self.capacity)
    }

    @inlinable
    @inline(__always)
    func popOne() -> Element? {
        let dequeue = self.counters[Self.dequeueIndex]
        // relaxed: the single consumer is the only writer of the dequeue position.
        let position = dequeue.load(ordering: .relaxed)
        let index = position & self.mask
        // acquire: pairs with the producer's release store, so its write of the
        // element happens before our read.
        guard self.sequence(at: index).load(ordering: .acquiring) == position &+ 1 else {
            return nil
        }
        let element = (self.slots + index).move()
        (self.slots + index).initialize(to: nil)
        // release: our move out of the slot happens before the next-lap producer's
        // write (it loads this sequence with acquire).
        self.sequence(at: index).store(position &+ self.capacity, ordering: .releasing)
        // relaxed: published for `approximateCount` and the low-water check, which
        // order it with a sequentially consistent fence where it matters.
        dequeue.store(position &+ 1, ordering: .relaxed)
        return element
    }
}
