import Foundation
import JunctionRing
import Synchronization
import Testing

@Suite("PipelineWorker")
struct PipelineWorkerTests {
    /// Everything submitted by several producers is handled exactly once, in each
    /// producer's order, in batches no larger than `batchSize`; `stop()` drains.
    @Test func handlesEverythingThenStops() {
        let producers = 3
        let perProducer = 20_000
        let seen = Mutex<[Int]>([Int](repeating: 0, count: producers))
        let errors = Atomic<Int>(0)
        let worker = PipelineWorker<Int>(name: "test-worker", capacity: 256, batchSize: 16) { batch in
            if batch.isEmpty || batch.count > 16 { errors.add(1, ordering: .relaxed) }
            seen.withLock { next in
                for value in batch {
                    let (producer, sequence) = untag(value)
                    if next[producer] != sequence { errors.add(1, ordering: .relaxed) }
                    next[producer] = sequence + 1
                }
            }
        }
        runOnThreads(producers) { producer in
            for sequence in 0..<perProducer {
                while !worker.submit(tag(producer: producer, sequence: sequence)) { sched_yield() }
            }
        }
        worker.stop()
        worker.stop()  // idempotent
        #expect(errors.load(ordering: .relaxed) == 0)
        #expect(seen.withLock { $0 } == [Int](repeating: perProducer, count: producers))
        #expect(worker.approximateCount == 0)
    }

    /// A slow worker makes producers hit a full ring; they stop, register, and
    /// resume on the callback (the event-loop protocol). Nothing is lost and every
    /// element is released.
    @Test func backPressureEndToEnd() {
        let counter = LifetimeCounter()
        let handled = Atomic<Int>(0)
        let stalls = Atomic<Int>(0)
        let timeouts = Atomic<Int>(0)
        let producers = 2
        let perProducer = 2_000
        do {
            let worker = PipelineWorker<Tracked>(name: "slow-worker", capacity: 8, lowWaterMark: 2, batchSize: 4, spinCount: 16) { batch in
                handled.add(batch.count, ordering: .relaxed)
                if batch.contains(where: { $0.value % 500 == 0 }) { usleep(200) }
            }
            runOnThreads(producers) { producer in
                var sequence = 0
                while sequence < perProducer {
                    if worker.submit(Tracked(tag(producer: producer, sequence: sequence), counter)) {
                        sequence += 1
                        continue
                    }
                    stalls.add(1, ordering: .relaxed)
                    let resumed = DispatchSemaphore(value: 0)
                    worker.notifyWhenSpaceAvailable { resumed.signal() }
                    if resumed.wait(timeout: .now() + 10) == .timedOut {
                        timeouts.add(1, ordering: .relaxed)
                        return
                    }
                }
            }
            worker.stop()
        }
        #expect(timeouts.load(ordering: .relaxed) == 0, "lost space-available notification")
        #expect(stalls.load(ordering: .relaxed) > 0, "back-pressure not exercised")
        #expect(handled.load(ordering: .relaxed) == producers * perProducer)
        #expect(counter.live == 0, "worker leaked elements")
    }

    @Test func idleWorkerParks() {
        let worker = PipelineWorker<Int>(name: "idle", capacity: 4, spinCount: 8) { _ in }
        usleep(20_000)
        #expect(worker.parkCount >= 1, "an idle worker must sleep, not spin")
        #expect(worker.submit(1))
        worker.stop()
    }
}
