import JunctionWire
import NIOConcurrencyHelpers
import NIOCore

/// Which subscription streams each bus's events go to.
///
/// Streams are added and removed from event loops while pipeline workers
/// route events. Writers build a new immutable `Snapshot` under a lock;
/// a worker takes the current snapshot once per drained group of batches
/// (a lock held for one reference copy) and routes with it, lock-free.
final class Router: Sendable {
    /// Immutable routing state for all buses.
    final class Snapshot: Sendable {
        let buses: [BusRoutes]
        /// Every target of every bus, bus after bus. A target's index here is
        /// its *slot*: workers gather a group's deliveries in an array
        /// indexed by slot instead of hashing targets.
        let targets: [SubscriptionTarget]
        /// The slot of each bus's first target: target `t` of `buses[b]` is
        /// slot `firstSlot[b] + t`.
        let firstSlot: [Int]

        init(buses: [BusRoutes]) {
            self.buses = buses
            var targets: [SubscriptionTarget] = []
            var firstSlot: [Int] = []
            for bus in buses {
                firstSlot.append(targets.count)
                targets.append(contentsOf: bus.targets)
            }
            self.targets = targets
            self.firstSlot = firstSlot
        }

        /// The index in `buses` of the bus whose name is `name` (UTF-8 bytes), if it exists.
        @inline(__always)
        func busIndex(named name: UnsafeRawBufferPointer) -> Int? {
            for (b, bus) in buses.enumerated() where bus.nameBytes.buffer.equals(name) { return b }
            return nil
        }
    }

    /// The streams of one bus and the matcher over their patterns.
    final class BusRoutes: Sendable {
        let name: String
        let nameBytes: StableBytes
        let targets: [SubscriptionTarget]
        let matcher: BusMatcher

        init(name: String, targets: [SubscriptionTarget]) {
            self.name = name
            self.nameBytes = StableBytes(name)
            self.targets = targets
            self.matcher = BusMatcher(patterns: targets.map(\.pattern))
        }
    }

    private struct State {
        var buses: [String: [SubscriptionTarget]]
        var snapshot: Snapshot
    }

    private let state: NIOLockedValueBox<State>

    init(buses: Set<String>) {
        var all = buses
        all.insert("default")
        let names = all.sorted()
        var routes: [BusRoutes] = []
        for name in names { routes.append(BusRoutes(name: name, targets: [])) }
        let map = Dictionary(uniqueKeysWithValues: names.map { ($0, [SubscriptionTarget]()) })
        state = NIOLockedValueBox(State(buses: map, snapshot: Snapshot(buses: routes)))
    }

    /// The current routing state.
    @inline(__always)
    func snapshot() -> Snapshot { state.withLockedValue { $0.snapshot } }

    /// True when `bus` exists.
    func hasBus(_ bus: String) -> Bool { state.withLockedValue { $0.buses[bus] != nil } }

    /// Starts routing `bus`'s matching events to `target`.
    func add(_ target: SubscriptionTarget, bus: String) throws(WireError) {
        try update(bus: bus) { $0.append(target) }
    }

    /// Stops routing to `target`.
    func remove(_ target: SubscriptionTarget, bus: String) {
        try? update(bus: bus) { targets in targets.removeAll { $0 === target } }
    }

    private func update(bus: String, _ change: (inout [SubscriptionTarget]) -> Void) throws(WireError) {
        let result: Result<Void, WireError> = state.withLockedValue { state in
            guard var targets = state.buses[bus] else {
                return .failure(WireError(.invalidRequest, "bus \"\(bus)\" does not exist"))
            }
            change(&targets)
            let routes = BusRoutes(name: bus, targets: targets)
            state.buses[bus] = targets
            var buses = state.snapshot.buses
            if let i = buses.firstIndex(where: { $0.name == bus }) { buses[i] = routes } else { buses.append(routes) }
            state.snapshot = Snapshot(buses: buses)
            return .success(())
        }
        try result.get()
    }
}
