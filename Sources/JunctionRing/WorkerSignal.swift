import Atomics

/// Wakes one consumer thread that waits for work, without a system call on the
/// producers' fast path and without burning a core while idle.
///
/// The consumer polls its predicate up to `spinCount` times, then announces that
/// it is going to sleep (an atomic flag), re-checks the predicate, and only then
/// parks on a condition variable. A producer that has published work calls
/// `notify()`, which costs one fence and one load unless the flag says the consumer
/// sleeps; only then does it take the mutex and signal.
///
/// No lost wake-ups (Dekker pattern with two sequentially consistent fences): the
/// producer publishes work, fence F_p, loads the flag; the consumer stores the
/// flag, fence F_c, re-checks for work. If F_p comes before F_c, the re-check sees
/// the work; if F_c comes before F_p, the producer sees the flag and signals. The
/// flag is cleared and the condition waited on under the mutex, so a signal cannot
/// slip in between the consumer's last check and its sleep.
public final class WorkerSignal: @unchecked Sendable { // safe: the state is an atomic, the mutex and condition are pthread objects in stable heap memory, and the park/unpark protocol above keeps them consistent
    /// How many times `wait(until:)` polls its predicate before parking.
    public let spinCount: Int

    @usableFromInline
    static var running: Int { 0 }
    @usableFromInline
    static var sleeping: Int { 1 }

    /// Counter 0: `running` or `sleeping`. Counter 1: number of times the consumer
    /// actually parked (statistics for tests and benchmarks).
    @usableFromInline
    let counters: PaddedAtomicCounters
    @usableFromInline
    let mutex: PThreadMutex
    let condition: PThreadCondition

    /// - Parameter spinCount: polls of the predicate before parking (default 256;
    ///   0 parks at once). Spinning trades CPU for wake-up latency: keep it small on
    ///   machines with few cores.
    public init(spinCount: Int = 256) {
        precondition(spinCount >= 0, "WorkerSignal: spinCount must be >= 0, got \(spinCount)")
        self.spinCount = spinCount
        self.counters = PaddedAtomicCounters(count: 2)
        self.mutex = PThreadMutex()
        self.condition = PThreadCondition()
    }

    deinit {
        self.condition.destroy()
        self.mutex.destroy()
        self.counters.deallocate()
    }

    /// Producer side: call after publishing work (for example after a successful
    /// `tryPush`). Wakes the consumer if it is parked or about to park; otherwise
    /// costs one fence and one load. Any thread.
    @inlinable
    public func notify() {
        // seq_cst fence F_p: orders the caller's publication before the flag load.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        // relaxed: ordered by the fence above (see the type's documentation).
        if self.counters[0].load(ordering: .relaxed) == Self.sleeping {
            self.wake()
        }
    }

    /// Wakes the consumer if it is parked or about to park, unconditionally taking
    /// the mutex. For shutdown paths. Any thread.
    public func wake() {
        self.mutex.withLock {
            // relaxed: written under the mutex, which orders it with the consumer's
            // read under the same mutex.
            self.counters[0].store(Self.running, ordering: .relaxed)
        }
        // Signalled after unlocking so the woken consumer does not block on the
        // mutex we still hold; it re-reads the state under the mutex, and a
        // consumer that is not yet waiting sees `running` there and never sleeps.
        self.condition.signal()
    }

    /// Consumer side: returns once `isReady()` returns `true`, or after a wake-up
    /// (the caller re-checks its own condition; spurious returns are possible).
    /// Only one thread may wait on a given signal.
    ///
    /// `isReady` must observe state that producers publish before calling
    /// `notify()` (for example `MPSCRing.hasElementReady` or an atomic stop flag).
    public func wait(until isReady: () -> Bool) {
        var spins = 0
        while spins < self.spinCount {
            if isReady() { return }
            spins += 1
        }
        let state = self.counters[0]
        // relaxed: ordered before the re-check by the fence below.
        state.store(Self.sleeping, ordering: .relaxed)
        // seq_cst fence F_c (see the type's documentation).
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if isReady() {
            // relaxed: only cancels our announcement; a producer that already saw
            // `sleeping` just signals a condition nobody waits on.
            state.store(Self.running, ordering: .relaxed)
            return
        }
        self.mutex.withLock {
            // relaxed: both the store in `wake()` and this load happen under the mutex.
            if state.load(ordering: .relaxed) == Self.sleeping {
                // relaxed: statistics only.
                self.counters[1].wrappingIncrement(ordering: .relaxed)
                repeat {
                    self.condition.wait(self.mutex)
                } while state.load(ordering: .relaxed) == Self.sleeping // relaxed: under the mutex
            }
        }
    }

    /// How many times the consumer has parked (slept on the condition variable).
    public var parkCount: Int {
        // relaxed: a statistic, read for reporting only.
        self.counters[1].load(ordering: .relaxed)
    }
}
