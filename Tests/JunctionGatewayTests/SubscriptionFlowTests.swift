import Testing
@testable import JunctionGateway

@Suite struct SubscriptionFlowTests {
    @Test func neverHandsOutMoreThanTheCredits() {
        var flow = SubscriptionFlow<Int>(initialCredits: 3, queueLimit: 100, maxCredits: 1000)
        flow.enqueue(1...10)
        var sent: [(UInt64, Int)] = []
        #expect(flow.takeSendable(limit: 100) { sent.append(($0, $1)) } == 3)
        #expect(sent.map(\.1) == [1, 2, 3])
        #expect(sent.map(\.0) == [1, 2, 3])
        #expect(flow.takeSendable(limit: 100) { _, _ in } == 0)
        flow.grant(4)
        sent.removeAll()
        #expect(flow.takeSendable(limit: 2) { sent.append(($0, $1)) } == 2)
        #expect(flow.takeSendable(limit: 100) { sent.append(($0, $1)) } == 2)
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
        _ = flow.takeSendable(limit: 10) { _, _ in }
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
        var got: [Int] = []
        _ = flow.takeSendable(limit: 10) { got.append($1) }
        #expect(got == [8, 9, 10, 11])
    }
}
