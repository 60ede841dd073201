import JunctionRing
import Testing

@Suite("MPSCRing, one thread")
struct MPSCRingTests {
    @Test func emptyRingPopsNothing() {
        let ring = MPSCRing<Int>(capacity: 4)
        #expect(ring.tryPop() == nil)
        #expect(!ring.hasElementReady)
        #expect(ring.approximateCount == 0)
        #expect(ring.drain(max: 10) { _ in Issue.record("drained from an empty ring") } == 0)
    }

    @Test func fifoUntilFullThenRejects() {
        let ring = MPSCRing<Int>(capacity: 8)
        for value in 0..<8 {
            #expect(ring.tryPush(value))
        }
        #expect(ring.approximateCount == 8)
        #expect(!ring.tryPush(99), "a full ring must reject")
        #expect(ring.approximateCount == 8)
        for value in 0..<8 {
            #expect(ring.tryPop() == value)
        }
        #expect(ring.tryPop() == nil)
        #expect(ring.tryPush(8), "space is reusable after popping")
    }

    @Test func defaultLowWaterMarkIsHalf() {
        #expect(MPSCRing<Int>(capacity: 64).lowWaterMark == 32)
        #expect(MPSCRing<Int>(capacity: 64, lowWaterMark: 0).lowWaterMark == 0)
    }

    @Test func wrapsAroundForManyLaps() {
        let ring = MPSCRing<Int>(capacity: 4)
        var next = 0
        var expected = 0
        // Fill levels 1, 2, 3, 4 rotate so every slot is seen at every phase.
        for lap in 0..<25_000 {
            let fill = lap % 4 + 1
            for _ in 0..<fill {
                #expect(ring.tryPush(next))
                next += 1
            }
            for _ in 0..<fill {
                let value = ring.tryPop()
                if value != expected {
                    Issue.record("lap \(lap): expected \(expected), got \(String(describing: value))")
                    return
                }
                expected += 1
            }
        }
        #expect(ring.tryPop() == nil)
        #expect(expected == next)
    }

    @Test func drainRespectsMaxAndOrder() {
        let ring = MPSCRing<Int>(capacity: 16)
        for value in 0..<10 { #expect(ring.tryPush(value)) }
        var seen: [Int] = []
        #expect(ring.drain(max: 4) { seen.append($0) } == 4)
        #expect(seen == [0, 1, 2, 3])
        #expect(ring.drain(max: 100) { seen.append($0) } == 6)
        #expect(seen == Array(0..<10))
        #expect(!ring.hasElementReady)
    }

    @Test func drainFreesSlotsEvenWhenBodyThrows() {
        struct Stop: Error {}
        let ring = MPSCRing<Int>(capacity: 4)
        for value in 0..<4 { #expect(ring.tryPush(value)) }
        #expect(throws: Stop.self) {
            try ring.drain(max: 4) { if $0 == 1 { throw Stop() } }
        }
        // 0 and 1 were removed; 2 and 3 remain, in order.
        #expect(ring.tryPush(4))
        #expect(ring.tryPush(5))
        #expect(!ring.tryPush(6))
        var rest: [Int] = []
        ring.drain(max: 10) { rest.append($0) }
        #expect(rest == [2, 3, 4, 5])
    }

    @Test func classElementsAreReleasedAfterPop() {
        let counter = LifetimeCounter()
        do {
            let ring = MPSCRing<Tracked>(capacity: 8)
            for lap in 0..<100 {
                for value in 0..<8 { #expect(ring.tryPush(Tracked(lap * 8 + value, counter))) }
                #expect(!ring.tryPush(Tracked(-1, counter)), "full")
                #expect(counter.live == 8, "the rejected element is not retained by the ring")
                var sum = 0
                ring.drain(max: 8) { sum += $0.value }
                #expect(sum == (0..<8).reduce(0) { $0 + lap * 8 + $1 })
                #expect(counter.live == 0, "lap \(lap): drained elements must be released")
            }
        }
        #expect(counter.created.load(ordering: .sequentiallyConsistent) == 900)
        #expect(counter.live == 0)
    }

    @Test func ringDeinitReleasesQueuedElements() {
        let counter = LifetimeCounter()
        do {
            let ring = MPSCRing<TrackedBatch>(capacity: 16)
            // Wrap around first so queued elements straddle the end of the array.
            for value in 0..<12 {
                #expect(ring.tryPush(TrackedBatch(events: [Tracked(value, counter)], label: "w\(value)")))
            }
            ring.drain(max: 12) { _ in }
            for value in 0..<10 {
                let events = (0..<3).map { Tracked(value * 3 + $0, counter) }
                #expect(ring.tryPush(TrackedBatch(events: events, label: "batch \(value)")))
            }
            #expect(ring.tryPop()?.label == "batch 0")
            #expect(counter.live == 27)
        }
        #expect(counter.live == 0, "deinit must release exactly the queued elements")
        #expect(counter.created.load(ordering: .sequentiallyConsistent) == 42)
    }
}
