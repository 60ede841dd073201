import Foundation
import JunctionRing
import Synchronization
import Testing

@Suite("MPSCRing back-pressure notification")
struct SpaceAvailableTests {
    @Test func firesOnceWhenDrainedToLowWaterMark() {
        let ring = MPSCRing<Int>(capacity: 8, lowWaterMark: 2)
        for value in 0..<8 { #expect(ring.tryPush(value)) }
        #expect(!ring.tryPush(8))
        let fired = Atomic<Int>(0)
        ring.notifyWhenSpaceAvailable { fired.add(1, ordering: .relaxed) }
        #expect(fired.load(ordering: .relaxed) == 0, "full ring: must wait")
        ring.drain(max: 5) { _ in }  // 3 left: above the mark
        #expect(fired.load(ordering: .relaxed) == 0)
        #expect(ring.tryPop() == 5)  // 2 left: at the mark
        #expect(fired.load(ordering: .relaxed) == 1)
        ring.drain(max: 8) { _ in }
        #expect(fired.load(ordering: .relaxed) == 1, "a callback fires once")
    }

    @Test func firesImmediatelyWhenAlreadyBelowMark() {
        let ring = MPSCRing<Int>(capacity: 8)
        #expect(ring.tryPush(1))
        let fired = Atomic<Int>(0)
        ring.notifyWhenSpaceAvailable { fired.add(1, ordering: .relaxed) }
        #expect(fired.load(ordering: .relaxed) == 1)
    }

    @Test func everyWaiterFires() {
        let ring = MPSCRing<Int>(capacity: 4, lowWaterMark: 0)
        for value in 0..<4 { #expect(ring.tryPush(value)) }
        let fired = Atomic<Int>(0)
        for _ in 0..<3 {
            ring.notifyWhenSpaceAvailable { fired.add(1, ordering: .relaxed) }
        }
        ring.drain(max: 3) { _ in }
        #expect(fired.load(ordering: .relaxed) == 0)
        ring.drain(max: 3) { _ in }
        #expect(fired.load(ordering: .relaxed) == 3)
    }

    /// Producers follow the event-loop protocol: on a failed push, stop, register,
    /// and wait for the callback before pushing again. A lost notification would
    /// leave a producer waiting forever; the wait is bounded and reported.
    @Test func producersResumeAfterBackPressure() {
        let producers = 3
        let perProducer = 20_000
        let ring = MPSCRing<Int>(capacity: 16, lowWaterMark: 4)
        let stalls = Atomic<Int>(0)
        let timeouts = Atomic<Int>(0)
        let orderErrors = Atomic<Int>(0)
        let consumer = startThread {
            var next = [Int](repeating: 0, count: producers)
            var received = 0
            while received < producers * perProducer {
                let drained = ring.drain(max: 8) { value in
                    let (producer, sequence) = untag(value)
                    if sequence != next[producer] { orderErrors.add(1, ordering: .relaxed) }
                    next[producer] = sequence + 1
                }
                received += drained
                if drained == 0 { sched_yield() }
            }
        }
        runOnThreads(producers) { producer in
            var sequence = 0
            while sequence < perProducer {
                if ring.tryPush(tag(producer: producer, sequence: sequence)) {
                    sequence += 1
                    continue
                }
                stalls.add(1, ordering: .relaxed)
                let resumed = DispatchSemaphore(value: 0)
                ring.notifyWhenSpaceAvailable { resumed.signal() }
                if resumed.wait(timeout: .now() + 10) == .timedOut {
                    timeouts.add(1, ordering: .relaxed)
                    return
                }
            }
        }
        #expect(timeouts.load(ordering: .relaxed) == 0, "a space-available notification was lost")
        if timeouts.load(ordering: .relaxed) == 0 {
            consumer.wait()
        }
        #expect(orderErrors.load(ordering: .relaxed) == 0, "lost, duplicated or reordered values")
        #expect(stalls.load(ordering: .relaxed) > 0, "the ring never filled: back-pressure not exercised")
    }
}
