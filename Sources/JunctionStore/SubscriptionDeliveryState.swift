/// The delivery logic of one durable subscription, as a pure value: no I/O,
/// no clock (every event passes `now`, Unix nanoseconds), randomness from an
/// injected generator. The driver (the gateway) feeds it events and performs
/// the ``DeliveryAction``s it returns.
///
/// Guarantees (see `docs/storage.md`):
/// - At least once: an event leaves the machine only when acked, skipped
///   (not matching) or dead-lettered (after ``deadLetterCompleted(position:now:)``).
/// - First deliveries go out in log-position order; a retried event may be
///   redelivered after later events (retries do not block the subscription).
/// - With ordering enabled, events of one group are delivered one at a time in
///   position order: the next is delivered only when the previous one is acked
///   or dead-lettered (retries keep the group waiting).
/// - The committed position only moves over contiguous finished positions.
///
/// Typical driving loop:
/// ```swift
/// var state = SubscriptionDeliveryState(configuration: .init(definition),
///                                       committedPosition: cursor, lastLogPosition: log.lastPosition)
/// perform(state.consumerAttached(ConsumerID(1), credit: 100, now: now()))
/// // on read completion:  perform(state.eventsRead(matches, through: lastScanned, now: now()))
/// // on ack from stream:  perform(state.ack(position: p, now: now()))
/// // on timer:            perform(state.tick(now: now()))
/// ```
public struct SubscriptionDeliveryState: Sendable {
    /// The result of feeding one event to the machine.
    public enum Outcome: Sendable, Equatable {
        /// Applied; perform these actions in order.
        case perform([DeliveryAction])
        /// Not applicable (stale or unknown); nothing changed.
        case ignored(reason: String)

        /// The actions to perform (empty when ignored).
        public var actions: [DeliveryAction] {
            if case .perform(let actions) = self { return actions }
            return []
        }
    }

    private struct Entry: Sendable {
        enum State: Sendable, Equatable {
            case blocked                                   // behind an earlier event of its group
            case waiting(notBefore: Int64)                 // backoff before a retry
            case ready                                     // deliverable now
            case outstanding(ConsumerID, deadline: Int64)  // delivered, awaiting ack
            case deadLettering                             // waiting for deadLetterCompleted
        }
        var group: [UInt8]?
        var attempts: Int
        var firstAttemptAt: Int64
        var notBefore: Int64
        var state: State
        var generation: UInt32
    }

    private struct Timed: Comparable, Sendable {
        var time: Int64
        var position: UInt64
        var generation: UInt32
        static func < (a: Timed, b: Timed) -> Bool { (a.time, a.position) < (b.time, b.position) }
    }

    private struct GroupQueue: Sendable {
        var positions: [UInt64]
        var head = 0
        var first: UInt64? { head < positions.count ? positions[head] : nil }
    }

    /// The settings in force.
    public let configuration: DeliveryConfiguration
    private var random: any RandomNumberGenerator & Sendable

    private var entries: [UInt64: Entry] = [:]
    private var order: [UInt64] = []
    private var orderHead = 0
    private var readyHeap = MinHeap<Timed>()
    private var waitingHeap = MinHeap<Timed>()
    private var deadlineHeap = MinHeap<Timed>()
    private var groups: [[UInt8]: GroupQueue] = [:]
    private var restored: [UInt64: PersistedDelivery] = [:]
    private var credit: [ConsumerID: Int] = [:]
    private var consumerOrder: [ConsumerID] = []
    private var nextConsumer = 0
    private var outstanding = 0
    private var nextRead: UInt64
    private var logLast: UInt64
    private var readPending = false
    private var reportedCommit: UInt64
    private var reportedWake: Int64?

    /// Creates the state of a subscription whose cursor is `committedPosition`
    /// (0 before anything was delivered; for a new subscription, the resolved
    /// start position minus one). `restoring` is the persisted in-flight set:
    /// those events keep their attempt counts when they are read again.
    public init(configuration: DeliveryConfiguration, committedPosition: UInt64, lastLogPosition: UInt64,
                restoring inFlight: [PersistedDelivery] = [],
                random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        self.configuration = configuration
        self.random = random
        self.nextRead = committedPosition &+ 1
        self.logLast = lastLogPosition
        self.reportedCommit = committedPosition
        for delivery in inFlight where delivery.position > committedPosition {
            restored[delivery.position] = delivery
        }
    }

    // MARK: observation

    /// Every position up to this one is finished.
    public var committedPosition: UInt64 {
        var head = orderHead
        while head < order.count {
            if entries[order[head]] != nil { return order[head] &- 1 }
            head += 1
        }
        return nextRead &- 1
    }

    /// The next position to read from the log.
    public var nextReadPosition: UInt64 { nextRead }
    /// Deliveries awaiting an ack.
    public var outstandingCount: Int { outstanding }
    /// Events held in memory (outstanding, waiting, ready, blocked, dead-lettering).
    public var bufferedCount: Int { entries.count }
    /// Remaining credit of a consumer (nil when unknown).
    public func credit(of consumer: ConsumerID) -> Int? { credit[consumer] }

    /// What to persist: the committed position and every delivered event not
    /// yet finished (see ``StateStore/checkpoint(subscription:committedPosition:inFlight:now:)``).
    public func persistedState() -> (committedPosition: UInt64, inFlight: [PersistedDelivery]) {
        var inFlight: [PersistedDelivery] = []
        for (position, entry) in entries where entry.attempts > 0 {
            let next: Int64 = if case .waiting(let t) = entry.state { t } else { 0 }
            inFlight.append(PersistedDelivery(position: position, attempts: entry.attempts, nextDeliveryAt: next,
                                              firstAttemptAt: entry.firstAttemptAt, group: entry.group))
        }
        inFlight.append(contentsOf: restored.values)
        inFlight.sort { $0.position < $1.position }
        return (committedPosition, inFlight)
    }

    // MARK: events

    /// A consumer joined with some initial credit.
    public mutating func consumerAttached(_ consumer: ConsumerID, credit initial: Int, now: Int64) -> Outcome {
        guard credit[consumer] == nil else { return .ignored(reason: "\(consumer) is already attached") }
        credit[consumer] = max(initial, 0)
        consumerOrder.append(consumer)
        return .perform(schedule(now: now))
    }

    /// A consumer granted `amount` more deliveries.
    public mutating func creditGranted(_ consumer: ConsumerID, amount: Int, now: Int64) -> Outcome {
        guard let current = credit[consumer] else { return .ignored(reason: "\(consumer) is not attached") }
        guard amount > 0 else { return .ignored(reason: "credit grant must be positive, got \(amount)") }
        credit[consumer] = current.addingReportingOverflow(amount).overflow ? Int.max : current + amount
        return .perform(schedule(now: now))
    }

    /// A consumer went away: its outstanding deliveries fail (without backoff)
    /// and go to the other consumers.
    public mutating func consumerDetached(_ consumer: ConsumerID, now: Int64) -> Outcome {
        guard credit.removeValue(forKey: consumer) != nil else { return .ignored(reason: "\(consumer) is not attached") }
        if let index = consumerOrder.firstIndex(of: consumer) {
            consumerOrder.remove(at: index)
            if nextConsumer > index { nextConsumer -= 1 }
            if nextConsumer >= consumerOrder.count { nextConsumer = 0 }
        }
        var actions: [DeliveryAction] = []
        let held = entries.filter { if case .outstanding(consumer, _) = $0.value.state { true } else { false } }
        for position in held.keys.sorted() {
            outstanding -= 1
            fail(position, .consumerGone, delay: 0, now: now, into: &actions)
        }
        actions += schedule(now: now)
        return .perform(actions)
    }

    /// The log now ends at `lastPosition` (call after appends, or when a read finds more).
    public mutating func logAdvanced(to lastPosition: UInt64, now: Int64) -> Outcome {
        guard lastPosition > logLast else { return .perform(schedule(now: now)) }
        logLast = lastPosition
        return .perform(schedule(now: now))
    }

    /// Reports a completed ``DeliveryAction/read(from:maxRecords:)``: `events`
    /// are the matching events in increasing position order, and every position
    /// up to `lastScanned` not among them does not concern this subscription.
    public mutating func eventsRead(_ events: [DeliveryCandidate], through lastScanned: UInt64, now: Int64) -> Outcome {
        readPending = false
        guard lastScanned &+ 1 >= nextRead else {
            return .ignored(reason: "read through \(lastScanned) is behind the read position \(nextRead)")
        }
        var previous = nextRead &- 1
        for event in events {
            guard event.position > previous, event.position <= lastScanned else {
                return .ignored(reason: "event position \(event.position) is out of order or outside \(nextRead)...\(lastScanned)")
            }
            previous = event.position
        }
        var actions: [DeliveryAction] = []
        for event in events {
            let group = configuration.orderingEnabled ? event.group : nil
            var entry = Entry(group: group, attempts: 0, firstAttemptAt: 0, notBefore: 0, state: .blocked, generation: 0)
            if let saved = restored.removeValue(forKey: event.position) {
                entry.attempts = saved.attempts
                entry.firstAttemptAt = saved.firstAttemptAt
                entry.notBefore = saved.nextDeliveryAt
            }
            entries[event.position] = entry
            order.append(event.position)
            if let group {
                if groups[group] == nil {
                    groups[group] = GroupQueue(positions: [event.position])
                    makeEligible(event.position, now: now, into: &actions)
                } else {
                    groups[group]!.positions.append(event.position)
                }
            } else {
                makeEligible(event.position, now: now, into: &actions)
            }
        }
        nextRead = lastScanned &+ 1
        logLast = max(logLast, lastScanned)
        if !restored.isEmpty { restored = restored.filter { $0.key >= nextRead } }
        actions += schedule(now: now)
        return .perform(actions)
    }

    /// A consumer acknowledged `position`. Late acks (after an ack timeout or
    /// a nack, while a retry is pending or outstanding elsewhere) are accepted:
    /// the event was processed.
    public mutating func ack(position: UInt64, now: Int64) -> Outcome {
        guard let entry = entries[position] else {
            return .ignored(reason: "position \(position) is not pending (already finished or never delivered)")
        }
        switch entry.state {
        case .outstanding:
            outstanding -= 1
        case .waiting, .ready:
            if entry.attempts == 0 { return .ignored(reason: "position \(position) was not delivered yet") }
        case .blocked:
            return .ignored(reason: "position \(position) is waiting behind its ordering group")
        case .deadLettering:
            return .ignored(reason: "position \(position) is being dead-lettered")
        }
        var actions: [DeliveryAction] = []
        finish(position, now: now, into: &actions)
        actions += schedule(now: now)
        return .perform(actions)
    }

    /// A consumer rejected delivery `attempt` of `position`; it is retried after
    /// `delayNanos` (or the policy's jittered backoff when nil), or dead-lettered.
    public mutating func nack(position: UInt64, attempt: Int, delayNanos: Int64? = nil, now: Int64) -> Outcome {
        guard let entry = entries[position], case .outstanding = entry.state, entry.attempts == attempt else {
            return .ignored(reason: "no outstanding attempt \(attempt) for position \(position)")
        }
        outstanding -= 1
        var actions: [DeliveryAction] = []
        fail(position, .nacked, delay: delayNanos.map { max($0, 0) }, now: now, into: &actions)
        actions += schedule(now: now)
        return .perform(actions)
    }

    /// The dead-letter move of `position` is durable: the event is finished.
    public mutating func deadLetterCompleted(position: UInt64, now: Int64) -> Outcome {
        guard let entry = entries[position], entry.state == .deadLettering else {
            return .ignored(reason: "position \(position) is not being dead-lettered")
        }
        var actions: [DeliveryAction] = []
        finish(position, now: now, into: &actions)
        actions += schedule(now: now)
        return .perform(actions)
    }

    /// Time passed: ack timeouts expire, backoffs end, deliveries go out.
    public mutating func tick(now: Int64) -> Outcome {
        .perform(schedule(now: now))
    }

    /// Restarts delivery at `position` (replay or a new start position): all
    /// buffered and outstanding events are forgotten (acks for them are then
    /// ignored) and the committed position becomes `position - 1`.
    public mutating func seek(to position: UInt64, now: Int64) -> Outcome {
        entries.removeAll()
        order.removeAll()
        orderHead = 0
        readyHeap.removeAll()
        waitingHeap.removeAll()
        deadlineHeap.removeAll()
        groups.removeAll()
        restored.removeAll()
        outstanding = 0
        readPending = false
        nextRead = max(position, 1)
        return .perform(schedule(now: now))
    }

    // MARK: internals

    /// Makes a newly unblocked entry deliverable, waiting or dead-lettered.
    private mutating func makeEligible(_ position: UInt64, now: Int64, into actions: inout [DeliveryAction]) {
        guard var entry = entries[position] else { return }
        entry.generation &+= 1
        if entry.attempts >= configuration.retryPolicy.maxAttempts {
            entry.state = .deadLettering
            entries[position] = entry
            actions.append(.deadLetter(position: position,
                                       reason: .maxAttemptsExhausted(lastFailure: .restoredExhausted),
                                       attempts: entry.attempts))
        } else if entry.notBefore > now {
            entry.state = .waiting(notBefore: entry.notBefore)
            entries[position] = entry
            waitingHeap.insert(Timed(time: entry.notBefore, position: position, generation: entry.generation))
        } else {
            entry.state = .ready
            entries[position] = entry
            readyHeap.insert(Timed(time: 0, position: position, generation: entry.generation))
        }
    }

    /// A delivery attempt failed: retry after a delay or dead-letter.
    private mutating func fail(_ position: UInt64, _ failure: DeliveryFailure, delay override: Int64?,
                               now: Int64, into actions: inout [DeliveryAction]) {
        guard var entry = entries[position] else { return }
        let policy = configuration.retryPolicy
        entry.generation &+= 1
        var reason: DeadLetterReason?
        var delay: Int64 = 0
        if entry.attempts >= policy.maxAttempts {
            reason = .maxAttemptsExhausted(lastFailure: failure)
        } else {
            if let override {
                delay = override
            } else {
                delay = jitter(upTo: policy.backoffCap(afterAttempt: entry.attempts))
            }
            if let maxAge = policy.maxEventAgeNanos, now &+ delay &- entry.firstAttemptAt > maxAge {
                reason = .maxEventAgeExceeded(lastFailure: failure)
            }
        }
        if let reason {
            entry.state = .deadLettering
            entries[position] = entry
            actions.append(.deadLetter(position: position, reason: reason, attempts: entry.attempts))
            return
        }
        entry.notBefore = now &+ delay
        if delay > 0 {
            entry.state = .waiting(notBefore: entry.notBefore)
            waitingHeap.insert(Timed(time: entry.notBefore, position: position, generation: entry.generation))
        } else {
            entry.state = .ready
            readyHeap.insert(Timed(time: 0, position: position, generation: entry.generation))
        }
        entries[position] = entry
    }

    /// A full-jitter delay in `0...cap` from exactly one word of the generator.
    ///
    /// `Int64.random(in:using:)` rejection-samples: it draws again until a word
    /// falls outside a small biased band, so a generator that keeps returning
    /// such a word (a constant or badly seeded test generator) makes it spin
    /// forever. Scaling one word by `cap + 1` and keeping the high half (the
    /// multiply step of Lemire's method without the rejection loop) is bounded
    /// and its bias, at most `(cap + 1) / 2^64`, is far below anything a backoff
    /// delay can notice.
    private mutating func jitter(upTo cap: Int64) -> Int64 {
        guard cap > 0 else { return 0 }
        let word = random.next()
        // cap + 1 <= 2^63 fits in UInt64, and the high half of word * (cap + 1) is at most cap.
        return Int64(word.multipliedFullWidth(by: UInt64(cap) + 1).high)
    }

    /// Removes a finished entry and unblocks the next event of its group.
    private mutating func finish(_ position: UInt64, now: Int64, into actions: inout [DeliveryAction]) {
        guard let entry = entries.removeValue(forKey: position) else { return }
        guard let group = entry.group, var queue = groups[group] else { return }
        if queue.first == position { queue.head += 1 }
        if let next = queue.first {
            if queue.head > 64 && queue.head * 2 > queue.positions.count {
                queue.positions.removeFirst(queue.head)
                queue.head = 0
            }
            groups[group] = queue
            makeEligible(next, now: now, into: &actions)
        } else {
            groups[group] = nil
        }
    }

    private func isCurrent(_ item: Timed) -> Entry? {
        guard let entry = entries[item.position], entry.generation == item.generation else { return nil }
        return entry
    }

    private mutating func nextConsumerWithCredit() -> ConsumerID? {
        let count = consumerOrder.count
        guard count > 0 else { return nil }
        for step in 0..<count {
            let index = (nextConsumer + step) % count
            let consumer = consumerOrder[index]
            if let c = credit[consumer], c > 0 {
                nextConsumer = (index + 1) % count
                return consumer
            }
        }
        return nil
    }

    /// Applies time, hands out deliveries, requests reads, reports commits and the next wake-up.
    private mutating func schedule(now: Int64) -> [DeliveryAction] {
        var actions: [DeliveryAction] = []
        // Ack timeouts.
        while let top = deadlineHeap.min, top.time <= now {
            deadlineHeap.popMin()
            guard let entry = isCurrent(top), case .outstanding = entry.state else { continue }
            outstanding -= 1
            fail(top.position, .ackTimeout, delay: nil, now: now, into: &actions)
        }
        // Backoffs that ended.
        while let top = waitingHeap.min, top.time <= now {
            waitingHeap.popMin()
            guard var entry = isCurrent(top), case .waiting = entry.state else { continue }
            entry.state = .ready
            entry.generation &+= 1
            entries[top.position] = entry
            readyHeap.insert(Timed(time: 0, position: top.position, generation: entry.generation))
        }
        // Deliveries, lowest position first.
        while outstanding < configuration.maxInFlight, let top = readyHeap.min {
            guard var entry = isCurrent(top), entry.state == .ready else {
                readyHeap.popMin()
                continue
            }
            guard let consumer = nextConsumerWithCredit() else { break }
            readyHeap.popMin()
            credit[consumer]! -= 1
            entry.attempts += 1
            if entry.attempts == 1 { entry.firstAttemptAt = now }
            let deadline = now &+ configuration.ackTimeoutNanos
            entry.state = .outstanding(consumer, deadline: deadline)
            entry.generation &+= 1
            entries[top.position] = entry
            deadlineHeap.insert(Timed(time: deadline, position: top.position, generation: entry.generation))
            outstanding += 1
            actions.append(.deliver(position: top.position, consumer: consumer, attempt: entry.attempts, ackDeadline: deadline))
        }
        // Read more when there is room and the log has more.
        if !readPending && nextRead <= logLast && entries.count < configuration.maxBuffered {
            readPending = true
            actions.append(.read(from: nextRead, maxRecords: configuration.maxBuffered - entries.count))
        }
        // Commit.
        while orderHead < order.count && entries[order[orderHead]] == nil { orderHead += 1 }
        if orderHead > 1024 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
        let committed = committedPosition
        if committed != reportedCommit {
            reportedCommit = committed
            actions.append(.commit(position: committed))
        }
        // Next wake-up.
        while let top = deadlineHeap.min, isCurrent(top).map({ if case .outstanding = $0.state { false } else { true } }) ?? true {
            deadlineHeap.popMin()
        }
        while let top = waitingHeap.min, isCurrent(top).map({ if case .waiting = $0.state { false } else { true } }) ?? true {
            waitingHeap.popMin()
        }
        let wake = [deadlineHeap.min?.time, waitingHeap.min?.time].compactMap { $0 }.min()
        if let wake, wake != reportedWake || (reportedWake ?? .max) <= now {
            actions.append(.wake(at: wake))
        }
        reportedWake = wake
        return actions
    }
}
