import Foundation
import JunctionRing
import Synchronization
import Testing

@Suite("WorkerSignal parking")
struct WorkerSignalTests {
    @Test func waitReturnsAtOnceWhenReady() {
        let signal = WorkerSignal(spinCount: 0)
        signal.wait { true }
        #expect(signal.parkCount == 0)
    }

    @Test func notifyWithoutSleeperDoesNothing() {
        let signal = WorkerSignal()
        for _ in 0..<1000 { signal.notify() }
        #expect(signal.parkCount == 0)
    }

    @Test func wakeReleasesParkedConsumer() {
        let signal = WorkerSignal(spinCount: 0)
        let go = Atomic<Bool>(false)
        let waiter = startThread {
            while !go.load(ordering: .acquiring) {
                signal.wait { go.load(ordering: .acquiring) }
            }
        }
        // Give the waiter time to park, then publish and notify.
        usleep(20_000)
        go.store(true, ordering: .releasing)
        signal.notify()
        #expect(waiter.wait(timeout: .now() + 10) == .success, "consumer never woke")
        #expect(signal.parkCount >= 1, "the consumer should have parked")
    }

    /// Ping-pong through two rings with parking at once (spinCount 0), so nearly
    /// every round races a notify against a consumer going to sleep. A lost
    /// wake-up stalls both threads; the test then fails within its time bound.
    @Test func noLostWakeupsInPingPong() {
        let rounds = 20_000
        let toConsumer = MPSCRing<Int>(capacity: 2)
        let toProducer = MPSCRing<Int>(capacity: 2)
        let consumerSignal = WorkerSignal(spinCount: 0)
        let producerSignal = WorkerSignal(spinCount: 0)
        let abort = Atomic<Bool>(false)

        let consumer = startThread {
            for round in 0..<rounds {
                var value: Int? = nil
                while value == nil {
                    if abort.load(ordering: .relaxed) { return }
                    value = toConsumer.tryPop()
                    if value == nil { consumerSignal.wait { toConsumer.hasElementReady || abort.load(ordering: .relaxed) } }
                }
                precondition(value == round)
                precondition(toProducer.tryPush(round))
                producerSignal.notify()
            }
        }
        let producer = startThread {
            for round in 0..<rounds {
                precondition(toConsumer.tryPush(round))
                consumerSignal.notify()
                var echo: Int? = nil
                while echo == nil {
                    if abort.load(ordering: .relaxed) { return }
                    echo = toProducer.tryPop()
                    if echo == nil { producerSignal.wait { toProducer.hasElementReady || abort.load(ordering: .relaxed) } }
                }
                precondition(echo == round)
            }
        }
        let finished = producer.wait(timeout: .now() + 30) == .success
        #expect(finished, "ping-pong stalled: lost wake-up")
        if !finished {
            abort.store(true, ordering: .relaxed)
            consumerSignal.wake()
            producerSignal.wake()
        }
        _ = consumer.wait(timeout: .now() + 5)
        #expect(consumerSignal.parkCount + producerSignal.parkCount > 0, "parking path not exercised")
    }
}
