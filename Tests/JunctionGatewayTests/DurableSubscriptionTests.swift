import Foundation
import JunctionAdmin
import JunctionClient
@testable import JunctionGateway
import JunctionStore
import JunctionWire
import Testing

/// The event log in the publish path and durable subscriptions, end to end
/// through a real gateway with a data directory.
@Suite struct DurableSubscriptionTests {
    func event(_ n: Int, group: String? = nil) -> OutgoingEvent {
        OutgoingEvent(source: "com.example.orders", detailType: "Placed", detail: Array(#"{"n":\#(n)}"#.utf8),
                      attributes: group.map { [(key: "customer", value: $0)] } ?? [])
    }

    /// A harness whose data directory lives inside its own directory.
    static func start(reusing directory: String? = nil, fsync: FsyncPolicy = .default,
                      configure: @escaping (inout GatewayConfiguration) -> Void = { _ in }) async throws -> GatewayHarness {
        let directory = directory ?? NSTemporaryDirectory() + "junction-durable-\(UUID().uuidString)"
        return try await GatewayHarness.start(directory: directory) { configuration in
            configuration.dataDirectory = directory + "/data"
            configuration.fsync = fsync
            configure(&configuration)
        }
    }

    func create(_ connection: JunctionConnection, _ spec: SubscriptionSpec) async throws -> SubscriptionInfo {
        try await connection.admin(AdminOperation.subscriptionCreate, spec, as: SubscriptionInfo.self)
    }

    func numbers(_ deliveries: [Delivery]) -> [Int] {
        deliveries.compactMap { d in
            let text = String(decoding: d.event.detail, as: UTF8.self)
            return Int(text.dropFirst(5).dropLast())
        }
    }

    @Test func acksCarryLogPositionsAndEventsSurviveARestart() async throws {
        let first = try await Self.start()
        let publisher = try await first.connect()
        let results = try await publisher.publish((1...5).map { event($0) })
        #expect(results.map(\.position) == [1, 2, 3, 4, 5])
        await publisher.close()
        await first.stop(keepDirectory: true)

        let second = try await Self.start(reusing: first.directory)
        let connection = try await second.connect()
        let more = try await connection.publish([event(6)])
        #expect(more.map(\.position) == [6])
        var spec = SubscriptionSpec(name: "orders-all")
        spec.start = "earliest"
        let info = try await create(connection, spec)
        #expect(info.committedPosition == 0)
        let subscription = try await connection.subscribe(durable: "orders-all")
        let got = try await collect(subscription, count: 6)
        #expect(numbers(got) == [1, 2, 3, 4, 5, 6])
        #expect(got.map(\.event.position) == [1, 2, 3, 4, 5, 6])
        #expect(got.allSatisfy { $0.attempt == 1 && $0.event.account == "acct-test" })
        await connection.close()
        await second.stop()
    }

    /// A log that refuses appends: the events that passed the checks are
    /// answered REJECT_UNAVAILABLE with the log's reason and delivered to
    /// nobody; the others keep their own verdict.
    @Test func aLogThatRefusesAppendsAnswersUnavailableAndDeliversNothing() async throws {
        let harness = try await Self.start()
        let connection = try await harness.connect()
        let live = try await connection.subscribe(pattern: #"{"source":["com.example.orders"]}"#)
        #expect(try await connection.publish([event(1)]).map(\.code) == [.accepted])
        #expect(try await collect(live, count: 1).count == 1)

        harness.gateway.core.storage!.log.close()
        let bad = OutgoingEvent(source: "", detailType: "Placed", detail: Array("{}".utf8))
        let results = try await connection.publish([event(2), bad, event(3)])
        #expect(results.map(\.code) == [.unavailable, .invalidEvent, .unavailable])
        #expect(results[0].message.contains("the event log could not store the event"))
        #expect(results[1].message == "source: required, is empty")
        #expect(results.allSatisfy { $0.position == 0 })
        #expect(try await collect(live, count: 1, seconds: 0.5).isEmpty, "nothing unstored is delivered")
        await connection.close()
        await harness.stop()
    }

    @Test func theCursorSurvivesARestartAndOnlyUnackedEventsComeBack() async throws {
        let first = try await Self.start()
        let connection = try await first.connect()
        var spec = SubscriptionSpec(name: "cursor")
        spec.start = "earliest"
        _ = try await create(connection, spec)
        _ = try await connection.publish((1...6).map { event($0) })
        let subscription = try await connection.subscribe(durable: "cursor")
        let got = try await collect(subscription, count: 6)
        #expect(numbers(got) == [1, 2, 3, 4, 5, 6])
        for delivery in got.prefix(4) { subscription.ack(delivery) }
        // Wait until the gateway has taken the acks in.
        var committed: UInt64 = 0
        for _ in 0..<100 where committed != 4 {
            try await Task.sleep(for: .milliseconds(20))
            committed = try await connection.admin(AdminOperation.subscriptionGet, NameRequest(name: "cursor"), as: SubscriptionInfo.self).committedPosition
        }
        #expect(committed == 4)
        await connection.close()
        await first.stop(keepDirectory: true)

        let second = try await Self.start(reusing: first.directory)
        let again = try await second.connect()
        let resumed = try await again.subscribe(durable: "cursor")
        let rest = try await collect(resumed, count: 2)
        #expect(numbers(rest) == [5, 6])
        // Delivered before the restart without an ack: a later attempt.
        #expect(rest.allSatisfy { $0.attempt == 2 })
        await again.close()
        await second.stop()
    }

    @Test func onlyMatchingEventsOfTheBusAreDelivered() async throws {
        let harness = try await Self.start()
        let connection = try await harness.connect()
        var spec = SubscriptionSpec(name: "big-orders", bus: "default", pattern: #"{"detail":{"n":[{"numeric":[">",2]}]}}"#)
        spec.start = "earliest"
        _ = try await create(connection, spec)
        _ = try await connection.publish((1...4).map { event($0) })
        _ = try await connection.publish([event(9)], bus: "payments")
        let subscription = try await connection.subscribe(durable: "big-orders")
        let got = try await gather(subscription, expect: 2)
        #expect(numbers(got) == [3, 4])
        await connection.close()
        await harness.stop()
    }

    @Test func nackedEventsAreRedeliveredThenDeadLettered() async throws {
        let harness = try await Self.start()
        let connection = try await harness.connect()
        // Only dead letters: no ordinary event matches this pattern.
        _ = try await create(connection, SubscriptionSpec(name: "orders-dlq", pattern: #"{"source":["junction.dead-letter"]}"#))
        var spec = SubscriptionSpec(name: "orders")
        spec.maxAttempts = 2
        spec.initialBackoffMs = 0
        spec.maxBackoffMs = 0
        spec.deadLetter = "orders-dlq"
        _ = try await create(connection, spec)
        let published = try await connection.publish([event(1)])
        let subscription = try await connection.subscribe(durable: "orders")
        var iterator = subscription.makeAsyncIterator()
        let firstTry = try #require(try await iterator.next())
        #expect(firstTry.attempt == 1)
        subscription.nack(firstTry)
        let secondTry = try #require(try await iterator.next())
        #expect(secondTry.attempt == 2)
        #expect(secondTry.event.id == published[0].id)
        subscription.nack(secondTry, reason: "still failing")

        let letters = try await connection.subscribe(durable: "orders-dlq")
        let dead = try await collect(letters, count: 1)
        let letter = try #require(dead.first)
        #expect(letter.event.source == "junction.dead-letter")
        #expect(letter.event.detailType == "DeadLetter")
        #expect(letter.event.attributes["junction.dead-letter.subscription"] == "orders")
        #expect(letter.event.attributes["junction.dead-letter.attempts"] == "2")
        #expect(letter.event.attributes["junction.dead-letter.position"] == "\(published[0].position)")
        #expect(letter.event.attributes["junction.dead-letter.reason"]?.contains("maximum attempts") == true)
        #expect(letter.event.contentType == .protobuf)
        // The original event, with its position, is the detail.
        #expect(String(decoding: letter.event.detail, as: UTF8.self).contains(#"{"n":1}"#))
        let info = try await connection.admin(AdminOperation.subscriptionGet, NameRequest(name: "orders"), as: SubscriptionInfo.self)
        #expect(info.deadLettered == 1)
        await connection.close()
        await harness.stop()
    }

    @Test func anUnackedDeliveryIsRedeliveredAfterTheAckTimeout() async throws {
        let harness = try await Self.start()
        let connection = try await harness.connect()
        var spec = SubscriptionSpec(name: "slow")
        spec.ackTimeoutMs = 200
        spec.initialBackoffMs = 0
        spec.maxBackoffMs = 0
        _ = try await create(connection, spec)
        _ = try await connection.publish([event(1)])
        let subscription = try await connection.subscribe(durable: "slow")
        let got = try await collect(subscription, count: 2, seconds: 5)
        #expect(got.map(\.attempt) == [1, 2])
        #expect(numbers(got) == [1, 1])
        await connection.close()
        await harness.stop()
    }

    @Test func consumersOfOneSubscriptionShareItsEvents() async throws {
        let harness = try await Self.start()
        let connection = try await harness.connect()
        _ = try await create(connection, SubscriptionSpec(name: "shared"))
        let a = try await connection.subscribe(durable: "shared", credits: 1000)
        let other = try await harness.connect()
        let b = try await other.subscribe(durable: "shared", credits: 1000)
        _ = try await connection.publish((1...40).map { event($0) })
        async let fromA = gather(a, expect: 40, seconds: 3, ack: true)
        async let fromB = gather(b, expect: 40, seconds: 3, ack: true)
        let (gotA, gotB) = try await (fromA, fromB)
        #expect(gotA.count > 0 && gotB.count > 0)
        #expect(Set(numbers(gotA)).isDisjoint(with: numbers(gotB)))
        #expect(Set(numbers(gotA) + numbers(gotB)) == Set(1...40))
        await other.close()
        await connection.close()
        await harness.stop()
    }

    @Test func replayRedeliversARangeToThatSubscriptionOnly() async throws {
        let harness = try await Self.start()
        let connection = try await harness.connect()
        var spec = SubscriptionSpec(name: "replayed")
        spec.start = "earliest"
        _ = try await create(connection, spec)
        var bystander = SubscriptionSpec(name: "bystander")
        bystander.start = "earliest"
        _ = try await create(connection, bystander)
        _ = try await connection.publish((1...5).map { event($0) })
        let subscription = try await connection.subscribe(durable: "replayed")
        let first = try await collect(subscription, count: 5)
        for delivery in first { subscription.ack(delivery) }
        let result = try await connection.admin(AdminOperation.subscriptionReplay,
                                                ReplayRequest(name: "replayed", from: "position:2", to: "position:4"), as: ReplayResult.self)
        #expect(result.replayed == 3)
        let again = try await collect(subscription, count: 3)
        #expect(numbers(again) == [2, 3, 4])
        #expect(again.map { $0.event.attributes["junction.replayed-from"] } == ["2", "3", "4"])
        let other = try await connection.subscribe(durable: "bystander")
        let seen = try await gather(other, expect: 5)
        #expect(numbers(seen) == [1, 2, 3, 4, 5])
        await connection.close()
        await harness.stop()
    }

    @Test func orderingGroupsDeliverOneEventOfAGroupAtATime() async throws {
        let harness = try await Self.start()
        let connection = try await harness.connect()
        var spec = SubscriptionSpec(name: "ordered")
        spec.orderingKey = "customer"
        _ = try await create(connection, spec)
        let subscription = try await connection.subscribe(durable: "ordered", credits: 100)
        _ = try await connection.publish([event(1, group: "a"), event(2, group: "a"), event(3, group: "b"), event(4, group: "a")])
        let firstWave = try await gather(subscription, expect: 2)
        // One outstanding per group: the head of "a" and of "b".
        #expect(numbers(firstWave) == [1, 3])
        await connection.close()
        // The unacked heads go back to the subscription; an acking consumer
        // then gets each group in order.
        let next = try await harness.connect()
        let resumed = try await next.subscribe(durable: "ordered", credits: 100)
        let rest = try await gather(resumed, expect: 4, ack: true)
        #expect(numbers(rest) == [1, 3, 2, 4])
        #expect(rest.map(\.attempt) == [2, 2, 1, 1])
        await next.close()
        await harness.stop()
    }

    @Test func subscriptionsBelongToTheirAccount() async throws {
        let harness = try await Self.start()
        let owner = try await harness.connect()
        _ = try await create(owner, SubscriptionSpec(name: "private"))
        let stranger = try await harness.connect(token: GatewayHarness.otherToken)
        await #expect(throws: JunctionClientError.self) { _ = try await stranger.subscribe(durable: "private") }
        do {
            _ = try await stranger.admin(AdminOperation.subscriptionGet, NameRequest(name: "private"), as: SubscriptionInfo.self)
            Issue.record("a stranger read another account's subscription")
        } catch let error as JunctionClientError {
            #expect(error.kind == .server(.notFound))
        }
        let list = try await stranger.admin(AdminOperation.subscriptionList, EmptyDocument(), as: SubscriptionList.self)
        #expect(list.subscriptions.isEmpty)
        await stranger.close()
        await owner.close()
        await harness.stop()
    }

    @Test func badDefinitionsAreRefusedNamingTheField() async throws {
        let harness = try await Self.start()
        let connection = try await harness.connect()
        var spec = SubscriptionSpec(name: "x", bus: "nope")
        await #expect { try await create(connection, spec) } throws: { error in
            let e = error as? JunctionClientError
            return e?.kind == .server(.invalidRequest) && e?.message.contains("bus: \"nope\" does not exist") == true
        }
        spec = SubscriptionSpec(name: "x", pattern: #"{"source": "not-an-array"}"#)
        await #expect { try await create(connection, spec) } throws: { error in
            (error as? JunctionClientError)?.message.contains("pattern:") == true
        }
        spec = SubscriptionSpec(name: "x")
        spec.start = "yesterday"
        await #expect { try await create(connection, spec) } throws: { error in
            (error as? JunctionClientError)?.message.contains("start: \"yesterday\"") == true
        }
        _ = try await create(connection, SubscriptionSpec(name: "x"))
        await #expect { try await create(connection, SubscriptionSpec(name: "x", pattern: #"{"source":["a"]}"#)) } throws: { error in
            (error as? JunctionClientError)?.kind == .server(.alreadyExists)
        }
        await connection.close()
        await harness.stop()
    }

    @Test func acksKeepBatchOrderWhenALaterBatchHasNothingToStore() async throws {
        // Under fsync always the first batch waits for its fsync; the second
        // (every event rejected) must still be answered after it.
        let harness = try await Self.start(fsync: .always)
        let connection = try await harness.connect()
        for _ in 0..<20 {
            let good = connection.publishFuture((1...32).map { event($0) })
            let bad = connection.publishFuture([OutgoingEvent(source: "", detailType: "Placed")])
            let (goodResults, badResults) = try await (good.get(), bad.get())
            #expect(goodResults.count == 32 && goodResults.allSatisfy(\.accepted))
            #expect(badResults.count == 1 && badResults[0].code == .invalidEvent)
        }
        await connection.close()
        await harness.stop()
    }

    @Test func theDeadLetterSubscriptionMustExistAndBeOurs() async throws {
        let harness = try await Self.start()
        let owner = try await harness.connect()
        var spec = SubscriptionSpec(name: "main")
        spec.deadLetter = "missing"
        await #expect { try await create(owner, spec) } throws: { error in
            (error as? JunctionClientError)?.message.contains("dead_letter: no subscription \"missing\"") == true
        }
        let other = try await harness.connect(token: GatewayHarness.otherToken)
        _ = try await create(other, SubscriptionSpec(name: "theirs"))
        spec.deadLetter = "theirs"
        await #expect { try await create(owner, spec) } throws: { error in
            (error as? JunctionClientError)?.kind == .server(.invalidRequest)
        }
        await other.close()
        await owner.close()
        await harness.stop()
    }

    @Test func withoutAnEventLogDurableSubscribeIsRefused() async throws {
        let harness = try await GatewayHarness.start()
        let connection = try await harness.connect()
        await #expect { _ = try await connection.subscribe(durable: "any") } throws: { error in
            (error as? JunctionClientError)?.message.contains("keeps no event log") == true
        }
        await connection.close()
        await harness.stop()
    }
}

/// The deliveries that arrive: once `expect` have come (or after `seconds`,
/// whichever is first), it waits `quiet` more seconds for any unexpected
/// extra, so that tests can check both what came and that nothing else did
/// without depending on the machine's speed. Acks each delivery when asked.
func gather(_ subscription: Subscription, expect: Int, seconds: Double = 10, quiet: Double = 0.3,
            ack: Bool = false) async throws -> [Delivery] {
    let box = DeliveryBox()
    let task = Task {
        for try await delivery in subscription {
            box.append(delivery)
            if ack { subscription.ack(delivery) }
        }
    }
    let deadline = ContinuousClock.now + .seconds(seconds)
    while box.count < expect && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
    }
    try await Task.sleep(for: .seconds(quiet))
    task.cancel()
    return box.all
}

final class DeliveryBox: @unchecked Sendable { // `items` under `lock`
    private let lock = NSLock()
    private var items: [Delivery] = []
    func append(_ d: Delivery) { lock.withLock { items.append(d) } }
    var all: [Delivery] { lock.withLock { items } }
    var count: Int { lock.withLock { items.count } }
}

/// Forwarding rules: events of one bus that match are copied to another.
@Suite struct ForwardingRuleTests {
    @Test func matchingEventsReachTheTargetBusLiveAndDurableSubscribers() async throws {
        let harness = try await DurableSubscriptionTests.start()
        let connection = try await harness.connect()
        // A durable subscription and a live stream on the target bus.
        _ = try await connection.admin(AdminOperation.subscriptionCreate, SubscriptionSpec(name: "payments-all", bus: "payments"),
                                       as: SubscriptionInfo.self)
        let live = try await connection.subscribe(bus: "payments", credits: 100)
        let rule = try await connection.admin(AdminOperation.ruleCreate, RuleSpec(
            name: "big-orders-to-payments", bus: "default", pattern: #"{"detail":{"n":[{"numeric":[">",2]}]}}"#,
            targetBus: "payments"), as: RuleInfo.self)
        #expect(rule.targetBus == "payments" && rule.owner == "acct-test")
        let published = try await connection.publish((1...4).map {
            OutgoingEvent(source: "shop", detailType: "Placed", detail: Array(#"{"n":\#($0)}"#.utf8))
        })
        let seenLive = try await gather(live, expect: 2)
        #expect(seenLive.map(\.event.id) == [published[2].id, published[3].id])
        #expect(seenLive.allSatisfy { $0.event.bus == "payments" && $0.event.attributes["junction.forwarded-by"] == "big-orders-to-payments" })
        #expect(seenLive.map { $0.event.attributes["junction.forwarded-from"] } == ["\(published[2].position)", "\(published[3].position)"])
        #expect(seenLive.allSatisfy { $0.event.position > published[3].position })
        let durable = try await connection.subscribe(durable: "payments-all")
        let stored = try await gather(durable, expect: 2)
        #expect(stored.map(\.event.id) == [published[2].id, published[3].id])
        // Live streams see each copy at its own log position.
        #expect(seenLive.map(\.event.position) == stored.map(\.event.position))
        let rules = try await connection.admin(AdminOperation.ruleList, EmptyDocument(), as: RuleList.self)
        #expect(rules.rules.first?.forwarded == 2)
        await connection.close()
        await harness.stop()
    }

    @Test func rulesInACycleStopAfterTheHopLimit() async throws {
        let harness = try await DurableSubscriptionTests.start()
        let connection = try await harness.connect()
        _ = try await connection.admin(AdminOperation.ruleCreate, RuleSpec(name: "a-to-b", bus: "default", targetBus: "payments"), as: RuleInfo.self)
        _ = try await connection.admin(AdminOperation.ruleCreate, RuleSpec(name: "b-to-a", bus: "payments", targetBus: "default"), as: RuleInfo.self)
        let watch = try await connection.subscribe(bus: "default", credits: 100)
        _ = try await connection.publish([OutgoingEvent(source: "loop", detailType: "Ping")])
        let seen = try await gather(watch, expect: 3)
        // The original, then copies that came back through payments: hops 2 and 4.
        #expect(seen.map { $0.event.attributes["junction.hops"] ?? "0" } == ["0", "2", "4"])
        await connection.close()
        await harness.stop()
    }

    @Test func rulesNeedAnAdministratorWhenTheGatewayNamesThem() async throws {
        let harness = try await DurableSubscriptionTests.start { $0.adminAccounts = ["acct-other"] }
        let connection = try await harness.connect()
        await #expect { _ = try await connection.admin(AdminOperation.ruleCreate, RuleSpec(name: "r", bus: "default", targetBus: "payments"),
                                                        as: RuleInfo.self) } throws: { error in
            (error as? JunctionClientError)?.kind == .server(.permissionDenied)
        }
        await #expect { _ = try await connection.admin(AdminOperation.ruleCreate, RuleSpec(name: "r", bus: "default", targetBus: "default"),
                                                        as: RuleInfo.self) } throws: { error in
            (error as? JunctionClientError)?.kind == .server(.permissionDenied)
        }
        let admin = try await harness.connect(token: GatewayHarness.otherToken)
        await #expect { _ = try await admin.admin(AdminOperation.ruleCreate, RuleSpec(name: "r", bus: "default", targetBus: "default"),
                                                   as: RuleInfo.self) } throws: { error in
            (error as? JunctionClientError)?.message.contains("target_bus: must differ from bus") == true
        }
        await admin.close()
        await connection.close()
        await harness.stop()
    }
}

/// Subscriptions declared in the configuration, and the end of a consumer's stream.
@Suite struct DeclaredSubscriptionTests {
    func declared(_ name: String, pattern: String, deadLetter: String? = nil) -> DeclaredSubscription {
        var spec = SubscriptionSpec(name: name, pattern: pattern)
        spec.start = "earliest"
        spec.deadLetter = deadLetter
        return DeclaredSubscription(owner: "acct-test", spec: spec)
    }

    @Test func declaredSubscriptionsAreCreatedThenUpdatedKeepingTheirCursor() async throws {
        let first = try await DurableSubscriptionTests.start { configuration in
            configuration.subscriptions = [
                declared("declared-dlq", pattern: #"{"source":["junction.dead-letter"]}"#),
                declared("declared", pattern: #"{"source":["a"]}"#, deadLetter: "declared-dlq"),
            ]
        }
        let connection = try await first.connect()
        _ = try await connection.publish([OutgoingEvent(source: "a", detailType: "T"), OutgoingEvent(source: "b", detailType: "T")])
        let stream = try await connection.subscribe(durable: "declared")
        let got = try await gather(stream, expect: 1, ack: true)
        #expect(got.map(\.event.source) == ["a"])
        var committed: UInt64 = 0
        for _ in 0..<100 where committed < 2 {
            try await Task.sleep(for: .milliseconds(20))
            committed = try await connection.admin(AdminOperation.subscriptionGet, NameRequest(name: "declared"), as: SubscriptionInfo.self).committedPosition
        }
        #expect(committed == 2)
        await connection.close()
        await first.stop(keepDirectory: true)

        // Restart with a changed pattern: the definition is updated, the cursor kept.
        let second = try await DurableSubscriptionTests.start(reusing: first.directory) { configuration in
            configuration.subscriptions = [
                declared("declared-dlq", pattern: #"{"source":["junction.dead-letter"]}"#),
                declared("declared", pattern: #"{"source":["a","b"]}"#, deadLetter: "declared-dlq"),
            ]
        }
        let again = try await second.connect()
        let info = try await again.admin(AdminOperation.subscriptionGet, NameRequest(name: "declared"), as: SubscriptionInfo.self)
        #expect(info.pattern == #"{"source":["a","b"]}"# && info.committedPosition == 2)
        _ = try await again.publish([OutgoingEvent(source: "b", detailType: "T")])
        let resumed = try await again.subscribe(durable: "declared")
        let later = try await gather(resumed, expect: 1)
        #expect(later.map(\.event.position) == [3])
        await again.close()
        await second.stop()
    }

    @Test func aBadDeclarationStopsTheStartWithItsName() async throws {
        await #expect { _ = try await DurableSubscriptionTests.start { configuration in
            configuration.subscriptions = [self.declared("orphan", pattern: "", deadLetter: "nowhere")]
        } } throws: { error in
            "\(error)".contains("subscription \"orphan\"") && "\(error)".contains("dead_letter")
        }
    }

    @Test func deletingASubscriptionEndsItsConsumersStreams() async throws {
        let harness = try await DurableSubscriptionTests.start()
        let connection = try await harness.connect()
        _ = try await connection.admin(AdminOperation.subscriptionCreate, SubscriptionSpec(name: "doomed"), as: SubscriptionInfo.self)
        let consumer = try await harness.connect()
        let stream = try await consumer.subscribe(durable: "doomed")
        let ended = Task { () -> Int in
            var count = 0
            for try await _ in stream { count += 1 }
            return count
        }
        let deleted = try await connection.admin(AdminOperation.subscriptionDelete, NameRequest(name: "doomed"), as: DeleteResult.self)
        #expect(deleted.deleted)
        // The stream finishes (Unsubscribed) instead of waiting forever.
        let timer = Task { try await Task.sleep(for: .seconds(5)); ended.cancel() }
        _ = try? await ended.value
        #expect(!timer.isCancelled)
        timer.cancel()
        await consumer.close()
        await connection.close()
        await harness.stop()
    }
}
