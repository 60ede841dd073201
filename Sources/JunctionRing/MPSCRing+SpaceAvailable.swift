import Atomics

// "Space available" notification for producers whose push failed.
//
// Lost-wakeup argument (Dekker pattern with two sequentially consistent fences):
// - a producer registers (waiter count store), fence F_p, then loads the dequeue
//   position to compute the occupancy;
// - the consumer pops (dequeue position stores), fence F_c, then loads the waiter
//   count.
// The fences are totally ordered. If F_c comes before F_p, the producer's load sees
// those pops; if F_p comes before F_c, the consumer's load sees the registration.
// So after every batch of pops either the producer saw it (and fires its callback
// itself if the ring is at or below the low-water mark) or the consumer sees the
// waiter and fires it when the ring is at or below the mark. A waiter that sees an
// occupancy above the mark leaves elements the consumer has yet to pop, and the
// consumer's checks after those pops see the waiter.
extension MPSCRing {
    /// Calls `callback` exactly once, when the ring holds at most `lowWaterMark`
    /// elements: on the consumer thread right after it drains to the mark, or on a
    /// registering thread if the ring is already at or below the mark when it
    /// registers (possibly this call, before it returns).
    ///
    /// Call it after `tryPush` returned `false`. The callback must only schedule
    /// work (for example `eventLoop.execute { resumeReading() }`): it may run on the
    /// consumer thread, and must not block it. Any thread.
    public func notifyWhenSpaceAvailable(_ callback: @escaping @Sendable () -> Void) {
        self.waiterLock.withLock {
            self.spaceWaiters.append(callback)
            // relaxed: ordered before the occupancy check by the fence below.
            self.counters[Self.waiterCountIndex].store(self.spaceWaiters.count, ordering: .relaxed)
        }
        // seq_cst fence F_p (see above).
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        self.fireSpaceWaitersIfAtLowWater()
    }

    /// Consumer side, after popping: fires waiting callbacks if the ring has
    /// drained to the low-water mark. One fence and one load when nobody waits.
    @inlinable
    func notifySpaceWaitersIfNeeded() {
        // seq_cst fence F_c (see above).
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        // relaxed: ordered after our pops by the fence above.
        if self.counters[Self.waiterCountIndex].load(ordering: .relaxed) != 0 {
            self.fireSpaceWaitersIfAtLowWater()
        }
    }

    @usableFromInline
    func fireSpaceWaitersIfAtLowWater() {
        guard self.approximateCount <= self.lowWaterMark else { return }
        let callbacks: [@Sendable () -> Void] = self.waiterLock.withLock {
            let taken = self.spaceWaiters
            self.spaceWaiters.removeAll(keepingCapacity: true)
            // relaxed: written under the lock; a stale non-zero read only costs the
            // consumer one extra trip here.
            self.counters[Self.waiterCountIndex].store(0, ordering: .relaxed)
            return taken
        }
        for callback in callbacks {
            callback()
        }
    }
}
