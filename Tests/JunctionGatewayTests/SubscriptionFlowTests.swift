import Testing
@testable import JunctionGateway

/// Takes what the flow allows, as (delivery id, item) pairs.
func take(_ flow: inout SubscriptionFlow<Int>, limit: Int) -> [(UInt64, Int)] {
    var out: [(UInt64, Int)] = []
    flow.withSendable(limit: limit) { first, items in
        for (offset, item) in items.enumerated() { out.append((first + UInt64(offset), item)) }
    }
    return out
}

@Suite struct SubscriptionFlowTests {
    @Test func neverHandsOutMoreThanTheCredits() {
        var flow = SubscriptionFlow<Int>(initialCredits: 3, queueLimit: 100, maxCredits: 1000)
        flow.enqueue(1...10)
        var sent = take(&flow, limit: 100)
        #expect(sent.count == 3)
        #expect(sent.map(\.1) == [1, 2, 3])
        #expect(sent.map(\.0) == [1, 2, 3])
        #expect(take(&flow, limit: 100).isEmpty)
        flow.grant(4)
        sent = take(&flow, limit: 2)
        #expect(sent.count == 2)
        sent += take(&flow, limit: 100)
        #expect(sent.map(\.1) == [4, 5, 6, 7])
        #expect(sent.map(\.0) == [4, 5, 6, 7])
        #expect(flow.credits == 0)
        #expect(flow.queue.count == 3)
    }

    @Test func creditsAreCapped() {
        var flow = SubscriptionFlow<Int>(initialCredits: 50_000, queueLimit: 10, maxCredits: 100)
        #expect(flow.credits == 100)
        #expect(flow.grant(10) == 0)
        flow.enqueue([1])
        #expect(take(&flow, limit: 10).count == 1)
        #expect(flow.grant(10) == 1)
    }

    @Test func overflowDropsOldestAndCountsMissed() {
        var flow = SubscriptionFlow<Int>(initialCredits: 0, queueLimit: 4, maxCredits: 100)
        flow.enqueue(1...10)
        #expect(flow.queue.count == 4)
        let missed = flow.takeMissed()
        #expect(missed?.count == 6 && missed?.total == 6)
        #expect(flow.takeMissed() == nil)
        flow.enqueue([11])
        #expect(flow.takeMissed()?.total == 7)
        flow.grant(10)
        #expect(take(&flow, limit: 10).map(\.1) == [8, 9, 10, 11])
    }
}
