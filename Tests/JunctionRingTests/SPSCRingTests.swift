import Foundation
import JunctionRing
import Synchronization
import Testing

@Suite("SPSCRing")
struct SPSCRingTests {
    @Test func fifoFullEmptyAndWraparound() {
        let ring = SPSCRing<Int>(capacity: 4)
        #expect(ring.tryPop() == nil)
        var next = 0
        var expected = 0
        for lap in 0..<25_000 {
            let fill = lap % 4 + 1
            for _ in 0..<fill {
                #expect(ring.tryPush(next))
                next += 1
            }
            if fill == 4 { #expect(!ring.tryPush(-1), "full") }
            var values: [Int] = []
            #expect(ring.drain(max: fill) { values.append($0) } == fill)
            if values != Array(expected..<expected + fill) {
                Issue.record("lap \(lap): got \(values)")
                return
            }
            expected += fill
        }
        #expect(ring.tryPop() == nil)
        #expect(!ring.hasElementReady)
    }

    @Test func elementLifetimes() {
        let counter = LifetimeCounter()
        do {
            let ring = SPSCRing<Tracked>(capacity: 8)
            for value in 0..<6 { #expect(ring.tryPush(Tracked(value, counter))) }
            #expect(ring.tryPop()?.value == 0)
            #expect(counter.live == 5)
        }
        #expect(counter.live == 0)
    }

    @Test func oneProducerOneConsumerInOrder() {
        let count = 500_000
        let ring = SPSCRing<Int>(capacity: 256)
        let errors = Atomic<Int>(-1)
        let consumer = startThread {
            var expected = 0
            var mismatches = 0
            while expected < count {
                let drained = ring.drain(max: 64) { value in
                    if value != expected { mismatches += 1 }
                    expected += 1
                }
                if drained == 0 { sched_yield() }
            }
            errors.store(mismatches, ordering: .sequentiallyConsistent)
        }
        for value in 0..<count {
            while !ring.tryPush(value) { sched_yield() }
        }
        consumer.wait()
        #expect(errors.load(ordering: .sequentiallyConsistent) == 0, "out of order or lost")
        #expect(ring.approximateCount == 0)
    }
}
