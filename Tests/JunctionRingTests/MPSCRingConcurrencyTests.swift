import Foundation
import JunctionRing
import Synchronization
import Testing

@Suite("MPSCRing, concurrent producers")
struct MPSCRingConcurrencyTests {
    /// Every producer pushes `perProducer` tagged values, spinning on a full ring;
    /// the consumer checks that each value arrives exactly once and in its
    /// producer's order.
    static func exactlyOnceInProducerOrder(producers: Int, perProducer: Int, capacity: Int) {
        let ring = MPSCRing<Int>(capacity: capacity)
        // Assertions run on the test's thread: `#expect` needs the test's context.
        let outcome = Mutex<(errors: Int, next: [Int], extra: Int?)>((0, [], nil))
        let consumer = startThread {
            var next = [Int](repeating: 0, count: producers)
            var received = 0
            var errors = 0
            let total = producers * perProducer
            while received < total {
                let drained = ring.drain(max: 64) { value in
                    let (producer, sequence) = untag(value)
                    if producer < 0 || producer >= producers || sequence != next[producer] {
                        errors += 1
                    } else {
                        next[producer] += 1
                    }
                }
                received += drained
                if drained == 0 { sched_yield() }
            }
            let extra = ring.tryPop()
            outcome.withLock { $0 = (errors, next, extra) }
        }
        runOnThreads(producers) { producer in
            for sequence in 0..<perProducer {
                while !ring.tryPush(tag(producer: producer, sequence: sequence)) {
                    sched_yield()
                }
            }
        }
        consumer.wait()
        let (errors, next, extra) = outcome.withLock { $0 }
        #expect(errors == 0, "values out of order, duplicated or corrupted")
        #expect(next == [Int](repeating: perProducer, count: producers), "every value received once")
        #expect(extra == nil, "nothing beyond what was pushed")
    }

    @Test func fourProducersOneConsumer() {
        Self.exactlyOnceInProducerOrder(producers: 4, perProducer: 200_000, capacity: 1024)
    }

    @Test func tinyRingUnderHeavyContention() {
        // Capacity 2: nearly every push races the consumer for a full or empty slot.
        Self.exactlyOnceInProducerOrder(producers: 3, perProducer: 30_000, capacity: 2)
    }

    @Test func classElementsNeitherLeakNorOverRelease() {
        let counter = LifetimeCounter()
        let producers = 4
        let perProducer = 20_000
        weak var weakRing: MPSCRing<Tracked>?
        do {
            let ring = MPSCRing<Tracked>(capacity: 64)
            weakRing = ring
            let received = Atomic<Int>(0)
            let consumer = startThread {
                var total = 0
                // Stop early so that some elements are still queued at deinit.
                while total < producers * perProducer - 50 {
                    total += ring.drain(max: 32) { element in
                        precondition(element.value >= 0)
                    }
                    sched_yield()
                }
                received.store(total, ordering: .sequentiallyConsistent)
            }
            runOnThreads(producers) { producer in
                for sequence in 0..<perProducer {
                    let element = Tracked(tag(producer: producer, sequence: sequence), counter)
                    while !ring.tryPush(element) { sched_yield() }
                }
            }
            consumer.wait()
            let queued = producers * perProducer - received.load(ordering: .sequentiallyConsistent)
            #expect(queued >= 0 && queued <= 64)
            #expect(counter.live == queued, "only queued elements are alive")
        }
        #expect(waitUntilReleased { weakRing }, "the helper threads never released the ring")
        #expect(counter.live == 0, "ring deinit must release the queued elements")
        #expect(counter.created.load(ordering: .sequentiallyConsistent) == producers * perProducer)
    }
}
