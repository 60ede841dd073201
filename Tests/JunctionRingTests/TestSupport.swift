import Foundation
import Synchronization

/// Runs `body(0..<count)` on `count` new threads at once and waits for all of them.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

/// Starts `body` on a new thread; the returned group is left when it finishes.
func startThread(_ body: @escaping @Sendable () -> Void) -> DispatchGroup {
    let group = DispatchGroup()
    group.enter()
    Thread {
        body()
        group.leave()
    }.start()
    return group
}

/// Counts live instances, to prove a ring neither leaks nor over-releases elements.
final class LifetimeCounter: Sendable {
    let created = Atomic<Int>(0)
    let destroyed = Atomic<Int>(0)
    var live: Int {
        self.created.load(ordering: .sequentiallyConsistent) - self.destroyed.load(ordering: .sequentiallyConsistent)
    }
}

/// A class element whose deinit is counted.
final class Tracked: Sendable {
    let value: Int
    let counter: LifetimeCounter
    init(_ value: Int, _ counter: LifetimeCounter) {
        self.value = value
        self.counter = counter
        counter.created.add(1, ordering: .relaxed)
    }
    deinit {
        self.counter.destroyed.add(1, ordering: .relaxed)
    }
}

/// A struct element holding references, as a decoded batch would.
struct TrackedBatch: Sendable {
    var events: [Tracked]
    var label: String
}

/// Packs a producer index and its sequence number into one value.
@inline(__always)
func tag(producer: Int, sequence: Int) -> Int { producer << 40 | sequence }
@inline(__always)
func untag(_ value: Int) -> (producer: Int, sequence: Int) { (value >> 40, value & ((1 << 40) - 1)) }

/// Waits (at most `seconds`) until the object `reference` points to is gone.
/// Helper threads can hold their closure, and what it captured, for a moment
/// after they signalled completion. Returns whether it was released.
func waitUntilReleased(_ reference: () -> AnyObject?, seconds: Double = 5) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while reference() != nil {
        if Date() > deadline { return false }
        usleep(1_000)
    }
    return true
}
