import Testing
@testable import JunctionStore

/// A generator that always yields the same word. `.max` makes the jitter return
/// `cap` (the top of the range), so backoff delays are exact in tests; `0` makes it
/// return 0. (The machine draws one word per delay, so no word can make it spin.)
struct FixedRandom: RandomNumberGenerator, Sendable {
    var word: UInt64
    mutating func next() -> UInt64 { word }
}

private let second: Int64 = 1_000_000_000
private let c1 = ConsumerID(1), c2 = ConsumerID(2), c3 = ConsumerID(3)

private func deliveries(_ outcome: SubscriptionDeliveryState.Outcome) -> [UInt64] {
    outcome.actions.compactMap { if case .deliver(let p, _, _, _) = $0 { p } else { nil } }
}

private func delivered(_ outcome: SubscriptionDeliveryState.Outcome) -> [(UInt64, ConsumerID, Int)] {
    outcome.actions.compactMap { if case .deliver(let p, let c, let a, _) = $0 { (p, c, a) } else { nil } }
}

private func commits(_ outcome: SubscriptionDeliveryState.Outcome) -> [UInt64] {
    outcome.actions.compactMap { if case .commit(let p) = $0 { p } else { nil } }
}

private func deadLetters(_ outcome: SubscriptionDeliveryState.Outcome) -> [(UInt64, DeadLetterReason, Int)] {
    outcome.actions.compactMap { if case .deadLetter(let p, let r, let a) = $0 { (p, r, a) } else { nil } }
}

private func candidates(_ positions: ClosedRange<UInt64>) -> [DeliveryCandidate] {
    positions.map { DeliveryCandidate(position: $0) }
}

@Suite(.timeLimit(.minutes(1))) struct SubscriptionDeliveryStateTests {
    func machine(maxInFlight: Int = 10, maxAttempts: Int = 3, maxAge: Int64? = nil,
                 initialBackoff: Int64 = second, maxBackoff: Int64 = 8 * second,
                 ordering: Bool = false, maxBuffered: Int? = nil, committed: UInt64 = 0, last: UInt64 = 0,
                 restoring: [PersistedDelivery] = [],
                 random: any RandomNumberGenerator & Sendable = FixedRandom(word: .max)) -> SubscriptionDeliveryState {
        let policy = RetryPolicy(maxAttempts: maxAttempts, maxEventAgeNanos: maxAge,
                                 initialBackoffNanos: initialBackoff, maxBackoffNanos: maxBackoff, backoffMultiplier: 2)
        let config = DeliveryConfiguration(retryPolicy: policy, ackTimeoutNanos: 10 * second, maxInFlight: maxInFlight,
                                           maxBuffered: maxBuffered, orderingEnabled: ordering)
        return SubscriptionDeliveryState(configuration: config, committedPosition: committed, lastLogPosition: last,
                                         restoring: restoring, random: random)
    }

    @Test func readsDeliversInOrderAndCommitsContiguousAcks() {
        var s = machine()
        #expect(s.consumerAttached(c1, credit: 100, now: 0) == .perform([]))
        #expect(s.logAdvanced(to: 5, now: 0) == .perform([.read(from: 1, maxRecords: 256)]))
        // A second advance while the read is pending asks for nothing.
        #expect(s.logAdvanced(to: 6, now: 0) == .perform([]))
        let read = s.eventsRead(candidates(1...5), through: 5, now: 100)
        let deadline = 100 + 10 * second
        let expected: [DeliveryAction] = (1...5).map {
            .deliver(position: UInt64($0), consumer: c1, attempt: 1, ackDeadline: deadline)
        }
        #expect(Array(read.actions.prefix(5)) == expected)
        #expect(read.actions.dropFirst(5) == [.read(from: 6, maxRecords: 251), .wake(at: 100 + 10 * second)])
        #expect(s.credit(of: c1) == 95)
        #expect(commits(s.ack(position: 2, now: 200)) == [])
        #expect(commits(s.ack(position: 3, now: 200)) == [])
        #expect(commits(s.ack(position: 1, now: 200)) == [3])
        #expect(s.committedPosition == 3)
        #expect(s.ack(position: 1, now: 200) == .ignored(reason: "position 1 is not pending (already finished or never delivered)"))
        #expect(commits(s.ack(position: 5, now: 200)) == [])
        #expect(commits(s.ack(position: 4, now: 200)) == [5])
        #expect(s.outstandingCount == 0)
    }

    @Test func skippedPositionsAdvanceTheCursor() {
        var s = machine(last: 100)
        _ = s.consumerAttached(c1, credit: 10, now: 0)
        // Only positions 10 and 60 match this subscription among 1...100.
        let read = s.eventsRead([DeliveryCandidate(position: 10), DeliveryCandidate(position: 60)], through: 100, now: 0)
        #expect(deliveries(read) == [10, 60])
        #expect(commits(read) == [9])
        #expect(commits(s.ack(position: 60, now: 1)) == [])
        #expect(commits(s.ack(position: 10, now: 1)) == [100])
        // An empty read still moves the cursor.
        #expect(commits(s.logAdvanced(to: 150, now: 2)) == [])
        #expect(commits(s.eventsRead([], through: 150, now: 2)) == [150])
        // Invalid reads are rejected without change.
        #expect(s.eventsRead([DeliveryCandidate(position: 140)], through: 160, now: 3) ==
                .ignored(reason: "event position 140 is out of order or outside 151...160"))
        #expect(s.eventsRead([], through: 10, now: 3) == .ignored(reason: "read through 10 is behind the read position 151"))
        #expect(s.committedPosition == 150)
    }

    @Test func maxInFlightAndCreditLimitDeliveries() {
        var s = machine(maxInFlight: 2, last: 5)
        _ = s.consumerAttached(c1, credit: 3, now: 0)
        #expect(deliveries(s.eventsRead(candidates(1...5), through: 5, now: 0)) == [1, 2])
        #expect(deliveries(s.ack(position: 1, now: 1)) == [3])
        #expect(deliveries(s.ack(position: 2, now: 1)) == [], "credit is used up")
        #expect(s.creditGranted(c1, amount: 0, now: 1) == .ignored(reason: "credit grant must be positive, got 0"))
        #expect(deliveries(s.creditGranted(c1, amount: 5, now: 1)) == [4])
        #expect(s.outstandingCount == 2)
        #expect(s.creditGranted(c2, amount: 5, now: 1) == .ignored(reason: "consumer-2 is not attached"))
    }

    @Test func maxBufferedBoundsReadAhead() {
        var s = machine(maxInFlight: 2, maxBuffered: 4, last: 1000)
        _ = s.consumerAttached(c1, credit: 100, now: 0)
        #expect(s.tick(now: 0) == .perform([]), "a read is already requested by consumerAttached")
        var s2 = machine(maxInFlight: 2, maxBuffered: 4, last: 1000)
        #expect(s2.tick(now: 0).actions == [.read(from: 1, maxRecords: 4)])
        let read = s2.eventsRead(candidates(1...4), through: 4, now: 0)
        #expect(!read.actions.contains { if case .read = $0 { true } else { false } }, "buffer is full")
        _ = s2.consumerAttached(c1, credit: 100, now: 0)
        let acked = s2.ack(position: 1, now: 1)
        #expect(acked.actions.contains(.read(from: 5, maxRecords: 1)))
        _ = s
    }

    @Test func ackTimeoutRedeliversWithExponentialBackoffThenDeadLetters() {
        var s = machine(maxAttempts: 3, last: 1)
        _ = s.consumerAttached(c1, credit: 10, now: 0)
        let first = s.eventsRead(candidates(1...1), through: 1, now: 0)
        #expect(first.actions.contains(.wake(at: 10 * second)))
        #expect(s.tick(now: 10 * second - 1) == .perform([]))
        // Timeout at 10 s; FixedRandom(.max) picks the top of the jitter range: 1 s.
        let timedOut = s.tick(now: 10 * second)
        #expect(timedOut.actions == [.wake(at: 11 * second)])
        let retry = s.tick(now: 11 * second)
        #expect(delivered(retry).map { $0.2 } == [2])
        // Second timeout: cap doubles to 2 s.
        #expect(s.tick(now: 21 * second).actions == [.wake(at: 23 * second)])
        #expect(delivered(s.tick(now: 23 * second)).map { $0.2 } == [3])
        // Third failure exhausts maxAttempts.
        let dead = s.tick(now: 33 * second)
        #expect(dead.actions == [.deadLetter(position: 1, reason: .maxAttemptsExhausted(lastFailure: .ackTimeout), attempts: 3)])
        #expect(s.committedPosition == 0, "not finished until the dead letter is written")
        #expect(s.ack(position: 1, now: 34 * second) == .ignored(reason: "position 1 is being dead-lettered"))
        #expect(commits(s.deadLetterCompleted(position: 1, now: 34 * second)) == [1])
        #expect(s.deadLetterCompleted(position: 1, now: 34 * second) == .ignored(reason: "position 1 is not being dead-lettered"))
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func fullJitterStaysWithinTheCap(seed: UInt64) {
        let policy = RetryPolicy(maxAttempts: 20, maxEventAgeNanos: nil, initialBackoffNanos: second,
                                 maxBackoffNanos: 30 * second, backoffMultiplier: 2)
        var s = SubscriptionDeliveryState(
            configuration: DeliveryConfiguration(retryPolicy: policy, ackTimeoutNanos: second, maxInFlight: 1),
            committedPosition: 0, lastLogPosition: 1, random: SeededRandom(seed: seed))
        _ = s.consumerAttached(c1, credit: 1000, now: 0)
        _ = s.eventsRead(candidates(1...1), through: 1, now: 0)
        var now: Int64 = 0
        var delays: [Int64] = []
        for attempt in 1..<12 {
            let nacked = s.nack(position: 1, attempt: attempt, now: now)
            let cap = policy.backoffCap(afterAttempt: attempt)
            #expect(cap == min(second << Int64(attempt - 1), 30 * second))
            if case .wake(let at)? = nacked.actions.last {
                delays.append(at - now)
                #expect(at - now >= 0 && at - now <= cap)
                now = at
            } else {
                // A zero delay redelivers at once.
                #expect(delivered(nacked).first?.2 == attempt + 1)
                delays.append(0)
                continue
            }
            #expect(delivered(s.tick(now: now)).first?.2 == attempt + 1)
        }
        #expect(Set(delays).count > 3, "delays are jittered: \(delays)")
    }

    /// A generator stuck on a word that `Int64.random(in:using:)` would reject
    /// forever (0 is in the rejected band for a 1 s cap) must not hang a nack; the
    /// generator's state must advance between draws when it is a real one.
    @Test func jitterDrawsOneWordAndNeverSpins() {
        var stuck = machine(maxAttempts: 5, last: 1, random: FixedRandom(word: 0))
        _ = stuck.consumerAttached(c1, credit: 10, now: 0)
        _ = stuck.eventsRead(candidates(1...1), through: 1, now: 0)
        // Zero delay: redelivered at once as attempt 2.
        #expect(delivered(stuck.nack(position: 1, attempt: 1, now: second)).map { $0.2 } == [2])

        let policy = RetryPolicy(maxAttempts: 1000, maxEventAgeNanos: nil, initialBackoffNanos: second,
                                 maxBackoffNanos: second, backoffMultiplier: 1)
        var s = SubscriptionDeliveryState(
            configuration: DeliveryConfiguration(retryPolicy: policy, ackTimeoutNanos: second, maxInFlight: 1),
            committedPosition: 0, lastLogPosition: 1, random: SeededRandom(seed: 99))
        _ = s.consumerAttached(c1, credit: 1000, now: 0)
        _ = s.eventsRead(candidates(1...1), through: 1, now: 0)
        var now: Int64 = 0
        var delays: [Int64] = []
        for attempt in 1...40 {
            let nacked = s.nack(position: 1, attempt: attempt, now: now)
            if !delivered(nacked).isEmpty {   // a zero delay redelivers at once
                delays.append(0)
                continue
            }
            guard case .wake(let at)? = nacked.actions.last else {
                Issue.record("nack of attempt \(attempt) neither redelivered nor scheduled a wake: \(nacked)")
                return
            }
            delays.append(at - now)
            now = at
            #expect(delivered(s.tick(now: now)).map { $0.2 } == [attempt + 1])
        }
        #expect(delays.allSatisfy { $0 >= 0 && $0 <= second })
        #expect(Set(delays).count > 30, "the stored generator advances between draws: \(delays)")
    }

    @Test func nackWithExplicitDelayAndStaleNacks() {
        var s = machine(maxAttempts: 5, last: 2)
        _ = s.consumerAttached(c1, credit: 10, now: 0)
        _ = s.eventsRead(candidates(1...2), through: 2, now: 0)
        #expect(s.nack(position: 1, attempt: 2, now: 1) == .ignored(reason: "no outstanding attempt 2 for position 1"))
        let nacked = s.nack(position: 1, attempt: 1, delayNanos: 5 * second, now: second)
        #expect(nacked.actions == [.wake(at: 6 * second)])
        #expect(s.nack(position: 1, attempt: 1, now: 2 * second) == .ignored(reason: "no outstanding attempt 1 for position 1"))
        #expect(delivered(s.tick(now: 6 * second)).map { [$0.0, UInt64($0.2)] } == [[1, 2]])
        // A zero delay retries immediately.
        #expect(delivered(s.nack(position: 2, attempt: 1, delayNanos: 0, now: 7 * second)).map { $0.2 } == [2])
    }

    @Test func lateAckAfterTimeoutIsAccepted() {
        var s = machine(last: 1)
        _ = s.consumerAttached(c1, credit: 10, now: 0)
        _ = s.eventsRead(candidates(1...1), through: 1, now: 0)
        _ = s.tick(now: 10 * second)                // timed out, waiting for backoff
        #expect(commits(s.ack(position: 1, now: 10 * second + 5)) == [1])
        #expect(s.tick(now: 20 * second).actions.isEmpty, "no redelivery after the late ack")
    }

    @Test func maxEventAgeDeadLettersFromTheFirstAttempt() {
        var s = machine(maxAttempts: 100, maxAge: 5 * second, last: 1)
        _ = s.consumerAttached(c1, credit: 10, now: 0)
        _ = s.eventsRead(candidates(1...1), through: 1, now: 100 * second)   // old backlog: first attempt at 100 s
        #expect(s.nack(position: 1, attempt: 1, delayNanos: 2 * second, now: 101 * second).actions == [.wake(at: 103 * second)])
        _ = s.tick(now: 103 * second)
        let dead = s.nack(position: 1, attempt: 2, delayNanos: 3 * second, now: 104 * second)
        #expect(dead.actions == [.deadLetter(position: 1, reason: .maxEventAgeExceeded(lastFailure: .nacked), attempts: 2)])
    }

    @Test func consumersShareLoadAndDetachRedelivers() {
        var s = machine(maxInFlight: 100, last: 6)
        _ = s.consumerAttached(c1, credit: 10, now: 0)
        _ = s.consumerAttached(c2, credit: 10, now: 0)
        _ = s.consumerAttached(c3, credit: 1, now: 0)
        #expect(s.consumerAttached(c1, credit: 1, now: 0) == .ignored(reason: "consumer-1 is already attached"))
        let read = s.eventsRead(candidates(1...6), through: 6, now: 0)
        #expect(delivered(read).map { [$0.0, $0.1.rawValue] } == [[1, 1], [2, 2], [3, 3], [4, 1], [5, 2], [6, 1]])
        _ = s.ack(position: 1, now: 1)
        let detached = s.consumerDetached(c2, now: 2)
        #expect(delivered(detached).map { [$0.0, $0.1.rawValue, UInt64($0.2)] } == [[2, 1, 2], [5, 1, 2]])
        #expect(s.consumerDetached(c2, now: 2) == .ignored(reason: "consumer-2 is not attached"))
        // No consumers: nothing is delivered, events wait.
        _ = s.consumerDetached(c1, now: 3)
        _ = s.consumerDetached(c3, now: 3)
        #expect(s.outstandingCount == 0)
        #expect(s.tick(now: 4).actions.isEmpty)
        #expect(deliveries(s.consumerAttached(c1, credit: 10, now: 5)) == [2, 3, 4, 5, 6])
    }

    @Test func orderingGroupsDeliverOneAtATimeInOrder() {
        var s = machine(maxAttempts: 2, ordering: true, last: 7)
        _ = s.consumerAttached(c1, credit: 100, now: 0)
        let a = Array("a".utf8), b = Array("b".utf8)
        let events = [
            DeliveryCandidate(position: 1, group: a), DeliveryCandidate(position: 2, group: b),
            DeliveryCandidate(position: 3, group: a), DeliveryCandidate(position: 4, group: nil),
            DeliveryCandidate(position: 5, group: b), DeliveryCandidate(position: 6, group: a),
            DeliveryCandidate(position: 7, group: nil),
        ]
        #expect(deliveries(s.eventsRead(events, through: 7, now: 0)) == [1, 2, 4, 7])
        #expect(deliveries(s.ack(position: 2, now: 1)) == [5])
        // A retry keeps group a blocked; it goes on only after the dead letter is done.
        #expect(s.nack(position: 1, attempt: 1, delayNanos: second, now: 2).actions == [.wake(at: 2 + second)])
        #expect(deliveries(s.tick(now: 2 + second)) == [1])
        let dead = s.nack(position: 1, attempt: 2, now: 3 + second)
        #expect(deadLetters(dead).map(\.0) == [1])
        #expect(deliveries(dead) == [])
        #expect(deliveries(s.deadLetterCompleted(position: 1, now: 4 + second)) == [3])
        #expect(s.ack(position: 6, now: 5 + second) == .ignored(reason: "position 6 is waiting behind its ordering group"))
        #expect(deliveries(s.ack(position: 3, now: 5 + second)) == [6])
        for p: UInt64 in [4, 5, 6, 7] { _ = s.ack(position: p, now: 6 + second) }
        #expect(s.committedPosition == 7)
        #expect(s.bufferedCount == 0)
    }

    @Test func groupsAreIgnoredWhenOrderingIsOff() {
        var s = machine(ordering: false, last: 3)
        _ = s.consumerAttached(c1, credit: 100, now: 0)
        let g = Array("g".utf8)
        let events = (1...3).map { DeliveryCandidate(position: UInt64($0), group: g) }
        #expect(deliveries(s.eventsRead(events, through: 3, now: 0)) == [1, 2, 3])
    }

    @Test func persistedStateRestoresAttemptsAfterRestart() {
        var s = machine(maxAttempts: 3, ordering: true, last: 4)
        _ = s.consumerAttached(c1, credit: 100, now: 0)
        _ = s.eventsRead([DeliveryCandidate(position: 1), DeliveryCandidate(position: 2, group: [7]),
                          DeliveryCandidate(position: 3), DeliveryCandidate(position: 4)], through: 4, now: 0)
        _ = s.ack(position: 1, now: 1)
        _ = s.nack(position: 3, attempt: 1, delayNanos: 50 * second, now: 1)   // waiting
        _ = s.nack(position: 4, attempt: 1, delayNanos: 0, now: 1)             // redelivered: attempt 2
        _ = s.nack(position: 4, attempt: 2, delayNanos: 0, now: 1)             // attempt 3
        let saved = s.persistedState()
        #expect(saved.committedPosition == 1)
        #expect(saved.inFlight == [
            PersistedDelivery(position: 2, attempts: 1, nextDeliveryAt: 0, firstAttemptAt: 0, group: [7]),
            PersistedDelivery(position: 3, attempts: 1, nextDeliveryAt: 1 + 50 * second, firstAttemptAt: 0),
            PersistedDelivery(position: 4, attempts: 3, nextDeliveryAt: 0, firstAttemptAt: 0),
        ])
        // Restart: the gateway reads from the cursor again.
        var r = machine(maxAttempts: 3, ordering: true, committed: saved.committedPosition, last: 4, restoring: saved.inFlight)
        #expect(r.persistedState().inFlight == saved.inFlight, "restored entries survive until read")
        _ = r.consumerAttached(c1, credit: 100, now: 2 * second)
        let read = r.eventsRead([DeliveryCandidate(position: 2, group: [7]), DeliveryCandidate(position: 3),
                                 DeliveryCandidate(position: 4)], through: 4, now: 2 * second)
        #expect(deadLetters(read).map { [$0.0, UInt64($0.2)] } == [[4, 3]])
        #expect(deadLetters(read).first?.1 == .maxAttemptsExhausted(lastFailure: .restoredExhausted))
        #expect(delivered(read).map { [$0.0, UInt64($0.2)] } == [[2, 2]])
        #expect(delivered(r.tick(now: 1 + 50 * second)).map { [$0.0, UInt64($0.2)] } == [[3, 2]])
    }

    @Test func seekForgetsEverythingAndRestarts() {
        var s = machine(last: 10)
        _ = s.consumerAttached(c1, credit: 100, now: 0)
        _ = s.eventsRead(candidates(1...10), through: 10, now: 0)
        _ = s.ack(position: 1, now: 1)
        let seek = s.seek(to: 5, now: 2)
        #expect(seek.actions == [.read(from: 5, maxRecords: 256), .commit(position: 4)])
        #expect(s.outstandingCount == 0)
        #expect(s.ack(position: 6, now: 3) == .ignored(reason: "position 6 is not pending (already finished or never delivered)"))
        #expect(deliveries(s.eventsRead(candidates(5...10), through: 10, now: 4)) == [5, 6, 7, 8, 9, 10])
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func randomizedRunKeepsInvariants(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let ordering = seed % 2 == 1
        var s = machine(maxInFlight: 8, maxAttempts: 4, ordering: ordering, maxBuffered: 32, random: SeededRandom(seed: seed))
        var now: Int64 = 0
        var outstanding: [UInt64: (ConsumerID, Int)] = [:]
        var finished = Set<UInt64>()
        var committed: UInt64 = 0
        var logLast: UInt64 = 0
        var pendingRead: (UInt64, Int)?
        var groupsOf: [UInt64: UInt8] = [:]
        var deadLettering = Set<UInt64>()
        var consumers: [ConsumerID] = []

        func apply(_ outcome: SubscriptionDeliveryState.Outcome) {
            for action in outcome.actions {
                switch action {
                case .deliver(let p, let c, let a, _):
                    #expect(!finished.contains(p))
                    outstanding[p] = (c, a)
                    if ordering, let g = groupsOf[p] {
                        let earlier = groupsOf.filter { $0.key < p && $0.value == g }.keys
                        #expect(earlier.allSatisfy { finished.contains($0) }, "group \(g): \(p) before earlier events finished")
                    }
                case .deadLetter(let p, _, let attempts):
                    #expect(attempts <= 4)
                    outstanding[p] = nil
                    deadLettering.insert(p)
                case .read(let from, let max):
                    #expect(pendingRead == nil)
                    pendingRead = (from, max)
                case .commit(let p):
                    #expect(p >= committed)
                    if p > committed {
                        #expect((committed + 1...p).allSatisfy { finished.contains($0) }, "commit \(p) covers unfinished events")
                    }
                    committed = p
                case .wake:
                    break
                }
            }
            #expect(s.outstandingCount <= 8)
            #expect(s.bufferedCount <= 32)
            #expect(committed == s.committedPosition)
        }

        for step in 0..<3000 {
            now += Int64.random(in: 0...(2 * second), using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0:
                logLast += UInt64.random(in: 1...10, using: &rng)
                apply(s.logAdvanced(to: logLast, now: now))
            case 1:
                if let (from, max) = pendingRead {
                    pendingRead = nil
                    let through = min(logLast, from + UInt64(Int.random(in: 0...(max * 2), using: &rng)))
                    var events: [DeliveryCandidate] = []
                    var p = from
                    while p <= through && events.count < max {
                        if Int.random(in: 0..<4, using: &rng) > 0 {
                            let g = UInt8.random(in: 0..<3, using: &rng)
                            groupsOf[p] = g
                            events.append(DeliveryCandidate(position: p, group: [g]))
                        } else {
                            finished.insert(p)
                        }
                        p += 1
                    }
                    apply(s.eventsRead(events, through: p - 1, now: now))
                }
            case 2, 3:
                if let p = outstanding.keys.randomElement(using: &rng) {
                    outstanding[p] = nil
                    let outcome = s.ack(position: p, now: now)
                    if case .perform = outcome { finished.insert(p) }
                    apply(outcome)
                }
            case 4:
                if let (p, (_, a)) = outstanding.randomElement(using: &rng) {
                    outstanding[p] = nil
                    apply(s.nack(position: p, attempt: a, now: now))
                }
            case 5:
                if let p = deadLettering.randomElement(using: &rng) {
                    deadLettering.remove(p)
                    finished.insert(p)
                    apply(s.deadLetterCompleted(position: p, now: now))
                }
            case 6:
                if consumers.count < 3 {
                    let c = ConsumerID(UInt64(step))
                    consumers.append(c)
                    apply(s.consumerAttached(c, credit: 5, now: now))
                } else if let c = consumers.randomElement(using: &rng) {
                    apply(s.creditGranted(c, amount: 10, now: now))
                }
            case 7:
                if consumers.count > 1, let c = consumers.randomElement(using: &rng) {
                    consumers.removeAll { $0 == c }
                    for (p, held) in outstanding where held.0 == c { outstanding[p] = nil }
                    apply(s.consumerDetached(c, now: now))
                }
            default:
                apply(s.tick(now: now))
            }
        }
        #expect(committed > 0, "the run made progress")
    }
}
