import Atomics

/// A bounded, lock-free, single-producer single-consumer ring of `Element`s.
///
/// For a one-to-one hand-off (one pipeline worker to one event loop). Cheaper
/// than `MPSCRing` because nothing is contended: the producer owns the tail, the
/// consumer owns the head, each side keeps a private cached copy of the other's
/// position and reads the shared one only when its cache says full/empty
/// (Lamport's queue with cached indices).
///
/// ## Threading contract
/// `tryPush` must only be called by one producer thread at a time, `tryPop`,
/// `drain` and `hasElementReady` by one consumer thread at a time.
public final class SPSCRing<Element: Sendable>: @unchecked Sendable { // safe: a slot is written only by the producer before its release store of the tail and read only by the consumer after its acquire load of it (and the reverse through the head); the single producer and single consumer are a documented precondition
    /// The number of elements the ring holds when full (a power of two).
    public let capacity: Int

    @usableFromInline
    let mask: Int

    /// `capacity` slots, each `nil` unless it holds a published, unpopped element.
    @usableFromInline
    let slots: UnsafeMutablePointer<Element?>

    /// Counter 0: tail (next push position, written by the producer), with the
    /// producer's cached head in its private slot. Counter 1: head (next pop
    /// position, written by the consumer), with the consumer's cached tail.
    @usableFromInline
    let counters: PaddedAtomicCounters

    /// Creates an empty ring holding at most `capacity` elements (a power of two, at least 2).
    public init(capacity: Int) {
        precondition(
            capacity >= 2 && capacity & (capacity - 1) == 0,
            "SPSCRing: capacity must be a power of two >= 2, got \(capacity)"
        )
        self.capacity = capacity
        self.mask = capacity - 1
        self.slots = .allocate(capacity: capacity)
        self.slots.initialize(repeating: nil, count: capacity)
        self.counters = PaddedAtomicCounters(count: 2)
    }

    deinit {
        // Every slot is nil or holds an element not yet popped: release them all.
        self.slots.deinitialize(count: self.capacity)
        self.slots.deallocate()
        self.counters.deallocate()
    }

    /// Appends `element` unless the ring is full. Producer thread only; never blocks.
    ///
    /// - Returns: `false` if the ring is full (the element was not queued).
    @inlinable
    public func tryPush(_ element: Element) -> Bool {
        let tailAtomic = self.counters[0]
        let cachedHead = self.counters.privateSlot(0)
        // relaxed: only this producer writes the tail.
        let tail = tailAtomic.load(ordering: .relaxed)
        if tail &- cachedHead.pointee == self.capacity {
            // acquire: pairs with the consumer's release store of the head, so its
            // moves out of the slots happen before we overwrite them.
            cachedHead.pointee = self.counters[1].load(ordering: .acquiring)
            if tail &- cachedHead.pointee == self.capacity { return false }
        }
        (self.slots + (tail & self.mask)).pointee = element
        // release: publishes the element to the consumer's acquire load of the tail.
        tailAtomic.store(tail &+ 1, ordering: .releasing)
        return true
    }

    /// Removes and returns the oldest element, or `nil` if the ring is empty.
    /// Consumer thread only.
    @inlinable
    public func tryPop() -> Element? {
        let headAtomic = self.counters[1]
        let cachedTail = self.counters.privateSlot(1)
        // relaxed: only this consumer writes the head.
        let head = headAtomic.load(ordering: .relaxed)
        if head == cachedTail.pointee {
            // acquire: pairs with the producer's release store of the tail, so its
            // writes of the elements happen before our reads.
            cachedTail.pointee = self.counters[0].load(ordering: .acquiring)
            if head == cachedTail.pointee { return nil }
        }
        let slot = self.slots + (head & self.mask)
        let element = slot.move()
        slot.initialize(to: nil)
        // release: our move out of the slot happens before the producer reuses it.
        headAtomic.store(head &+ 1, ordering: .releasing)
        return element
    }

    /// Removes up to `maxCount` elements in FIFO order, calling `body` with each.
    /// Consumer thread only.
    ///
    /// - Returns: the number of elements removed.
    @inlinable
    @discardableResult
    public func drain(max maxCount: Int, _ body: (Element) throws -> Void) rethrows -> Int {
        var drained = 0
        while drained < maxCount, let element = self.tryPop() {
            drained += 1
            try body(element)
        }
        return drained
    }

    /// Whether `tryPop()` would return an element now. Consumer thread only.
    @inlinable
    public var hasElementReady: Bool {
        // relaxed: only this consumer writes the head.
        let head = self.counters[1].load(ordering: .relaxed)
        // acquire: as in `tryPop`.
        return self.counters[0].load(ordering: .acquiring) != head
    }

    /// The number of queued elements at some recent instant. Any thread; for
    /// metrics and tests, not for synchronization.
    public var approximateCount: Int {
        // relaxed: a momentary estimate; no memory is accessed based on it.
        let tail = self.counters[0].load(ordering: .relaxed)
        // relaxed: as above.
        let head = self.counters[1].load(ordering: .relaxed)
        return min(max(tail &- head, 0), self.capacity)
    }
}
