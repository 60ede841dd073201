// RingBench: throughput and hand-off latency of the JunctionRing primitives.
//
//   swift run -c release RingBench            # full run (about 30 s)
//   swift run -c release RingBench --quick    # smoke run
//
// Every figure is the median of `repetitions` runs, with the min and max beside it.
import Foundation
import JunctionRing
import Synchronization

let quick = CommandLine.arguments.contains("--quick")
let repetitions = quick ? 3 : 7
let itemCount = quick ? 1_000_000 : 10_000_000
let pingPongRounds = quick ? 20_000 : 100_000

/// A reference-counted element, as a decoded batch handed to a worker would be.
final class Payload: Sendable {
    let value: Int
    init(_ value: Int) { self.value = value }
}

func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func startThread(_ body: @escaping @Sendable () -> Void) -> DispatchGroup {
    let group = DispatchGroup()
    group.enter()
    Thread {
        body()
        group.leave()
    }.start()
    return group
}

struct Summary {
    var samples: [Double]
    var median: Double { self.samples.sorted()[self.samples.count / 2] }
    var min: Double { self.samples.min()! }
    var max: Double { self.samples.max()! }
}

func report(_ name: String, _ nsPerOp: Summary, note: String = "") {
    let mops = Summary(samples: nsPerOp.samples.map { 1_000.0 / $0 })
    let padded = name.padding(toLength: 48, withPad: " ", startingAt: 0)
    print(padded + String(
        format: "%7.1f ns/op  %6.2f M ops/s  (ns/op min %.1f, max %.1f)",
        nsPerOp.median, mops.median, nsPerOp.min, nsPerOp.max
    ) + note)
}

/// Producers push `itemCount` elements in total (busy-retrying on full), one
/// consumer drains in batches of 64. Returns ns per element, wall clock.
func mpscThroughput<Element: Sendable>(
    producers: Int, notifyEachPush: Bool = false,
    makeElement: @escaping @Sendable (Int) -> Element, value: @escaping @Sendable (Element) -> Int
) -> Double {
    let ring = MPSCRing<Element>(capacity: 4096)
    let signal = WorkerSignal()  // never parked on here: isolates the cost of notify()
    let perProducer = itemCount / producers
    let total = perProducer * producers
    let start = Atomic<Bool>(false)
    let consumer = startThread {
        while !start.load(ordering: .acquiring) {}
        var received = 0
        var checksum = 0
        while received < total {
            let drained = ring.drain(max: 64) { checksum &+= value($0) }
            if drained == 0 { sched_yield() }
            received += drained
        }
        precondition(checksum != -1)
    }
    var groups: [DispatchGroup] = []
    for producer in 0..<producers {
        groups.append(startThread {
            while !start.load(ordering: .acquiring) {}
            for index in 0..<perProducer {
                let element = makeElement(producer &* perProducer &+ index)
                while !ring.tryPush(element) { sched_yield() }
                if notifyEachPush { signal.notify() }
            }
        })
    }
    let began = now()
    start.store(true, ordering: .releasing)
    groups.forEach { $0.wait() }
    consumer.wait()
    return Double(now() - began) / Double(total)
}

func spscThroughput<Element: Sendable>(
    makeElement: @escaping @Sendable (Int) -> Element, value: @escaping @Sendable (Element) -> Int
) -> Double {
    let ring = SPSCRing<Element>(capacity: 4096)
    let total = itemCount
    let start = Atomic<Bool>(false)
    let consumer = startThread {
        while !start.load(ordering: .acquiring) {}
        var received = 0
        var checksum = 0
        while received < total {
            let drained = ring.drain(max: 64) { checksum &+= value($0) }
            if drained == 0 { sched_yield() }
            received += drained
        }
        precondition(checksum != -1)
    }
    let producer = startThread {
        while !start.load(ordering: .acquiring) {}
        for index in 0..<total {
            let element = makeElement(index)
            while !ring.tryPush(element) { sched_yield() }
        }
    }
    let began = now()
    start.store(true, ordering: .releasing)
    producer.wait()
    consumer.wait()
    return Double(now() - began) / Double(total)
}

/// One producer submits to a `PipelineWorker` (push + notify), the worker's
/// handler consumes batches; the worker parks when it runs dry.
nonisolated(unsafe) var workerParksPerMillion: [Double] = []  // written by the main thread only

func workerThroughput(producers: Int, spinCount: Int, makeElement: @escaping @Sendable (Int) -> Payload) -> Double {
    let perProducer = itemCount / producers
    let total = perProducer * producers
    let done = DispatchSemaphore(value: 0)
    let handled = Mutex<Int>(0)
    let worker = PipelineWorker<Payload>(name: "bench-worker", capacity: 4096, spinCount: spinCount) { batch in
        let finished = handled.withLock { count in
            count += batch.count
            return count == total
        }
        if finished { done.signal() }
    }
    let began = now()
    var groups: [DispatchGroup] = []
    for producer in 0..<producers {
        groups.append(startThread {
            for index in 0..<perProducer {
                let element = makeElement(producer &* perProducer &+ index)
                while !worker.submit(element) { sched_yield() }
            }
        })
    }
    groups.forEach { $0.wait() }
    done.wait()
    let elapsed = now() - began
    worker.stop()
    workerParksPerMillion.append(Double(worker.parkCount) * 1e6 / Double(total))
    return Double(elapsed) / Double(total)
}

/// Round trips through two rings, each side waiting with a `WorkerSignal`.
/// Returns the sorted round-trip times in ns.
func pingPong(spinCount: Int) -> (samples: [UInt64], parks: Int) {
    let rounds = pingPongRounds
    let request = MPSCRing<Int>(capacity: 2)
    let reply = MPSCRing<Int>(capacity: 2)
    let serverSignal = WorkerSignal(spinCount: spinCount)
    let clientSignal = WorkerSignal(spinCount: spinCount)
    let server = startThread {
        for _ in 0..<rounds {
            var value = request.tryPop()
            while value == nil {
                serverSignal.wait { request.hasElementReady }
                value = request.tryPop()
            }
            precondition(reply.tryPush(value!))
            clientSignal.notify()
        }
    }
    var samples = [UInt64](repeating: 0, count: rounds)
    for round in 0..<rounds {
        let sent = now()
        precondition(request.tryPush(round))
        serverSignal.notify()
        var echo = reply.tryPop()
        while echo == nil {
            clientSignal.wait { reply.hasElementReady }
            echo = reply.tryPop()
        }
        samples[round] = now() - sent
    }
    server.wait()
    samples.sort()
    return (samples, serverSignal.parkCount + clientSignal.parkCount)
}

func percentile(_ sorted: [UInt64], _ fraction: Double) -> Double {
    Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]) / 1_000
}

func measure(_ body: () -> Double) -> Summary {
    _ = body()  // warm-up
    return Summary(samples: (0..<repetitions).map { _ in body() })
}

print("RingBench: \(itemCount) elements per run, \(repetitions) runs, \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
print("Ring capacity 4096; the consumer drains batches of 64 and yields when empty.")
let preallocated = (0..<itemCount).map(Payload.init)
let reuse: @Sendable (Int) -> Payload = { preallocated[$0] }
let payloadValue: @Sendable (Payload) -> Int = { $0.value }
let intElement: @Sendable (Int) -> Int = { $0 }
print("Element Int (the ring alone):")
report("  MPSCRing 1 producer", measure { mpscThroughput(producers: 1, makeElement: intElement, value: intElement) })
report("  MPSCRing 2 producers", measure { mpscThroughput(producers: 2, makeElement: intElement, value: intElement) })
report("  SPSCRing 1 producer", measure { spscThroughput(makeElement: intElement, value: intElement) })
print("Element: a class reference (retain on push, release after pop: the object header moves between cores):")
report("  MPSCRing 1 producer", measure { mpscThroughput(producers: 1, makeElement: reuse, value: payloadValue) })
report("  MPSCRing 1 producer + notify() per push", measure {
    mpscThroughput(producers: 1, notifyEachPush: true, makeElement: reuse, value: payloadValue)
})
report("  MPSCRing 2 producers", measure { mpscThroughput(producers: 2, makeElement: reuse, value: payloadValue) })
report("  SPSCRing 1 producer", measure { spscThroughput(makeElement: reuse, value: payloadValue) })
print("PipelineWorker (class elements; the worker parks whenever it runs dry):")
for (producers, spinCount) in [(1, 256), (2, 256), (1, 4096)] {
    workerParksPerMillion = []
    let result = measure { workerThroughput(producers: producers, spinCount: spinCount, makeElement: reuse) }
    let parks = Summary(samples: workerParksPerMillion).median
    report(
        "  PipelineWorker.submit \(producers)P, spin \(spinCount)", result,
        note: String(format: "  parks per 1M: %.0f", parks)
    )
}

print("\nPing-pong round trip (two hand-offs, two wake-ups), \(pingPongRounds) rounds:")
for spinCount in [0, 256, 4096] {
    _ = pingPong(spinCount: spinCount)  // warm-up
    let (samples, parks) = pingPong(spinCount: spinCount)
    print(String(
        format: "  spinCount %5d: p50 %6.1f us  p90 %6.1f us  p99 %6.1f us  p99.9 %7.1f us  max %8.1f us  parks/round %.2f",
        spinCount, percentile(samples, 0.5), percentile(samples, 0.9), percentile(samples, 0.99),
        percentile(samples, 0.999), percentile(samples, 1.0), Double(parks) / Double(pingPongRounds)
    ))
}
