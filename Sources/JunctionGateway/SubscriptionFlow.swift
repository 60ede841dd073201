import NIOCore

/// The flow control of one subscription stream as a value: credits granted
/// by the subscriber, a bounded queue of events waiting for credits, and the
/// count of events dropped when an ephemeral stream's queue overflows.
///
/// The handler feeds it events (`enqueue`) and credit grants (`grant`), and
/// sends what `withSendable` hands it. It never hands out more than the
/// credits granted. Tested without a channel in SubscriptionFlowTests.
struct SubscriptionFlow<Item> {
    private(set) var credits: Int
    private(set) var queue: CircularBuffer<Item>
    let queueLimit: Int
    let maxCredits: Int
    /// Dropped since the last `takeMissed()`.
    private(set) var missedPending: UInt64 = 0
    /// Dropped since the stream opened.
    private(set) var missedTotal: UInt64 = 0
    /// Deliveries handed out so far; the next delivery id is this plus one.
    private(set) var delivered: UInt64 = 0

    init(initialCredits: Int, queueLimit: Int, maxCredits: Int) {
        self.maxCredits = max(1, maxCredits)
        self.credits = min(max(0, initialCredits), self.maxCredits)
        self.queueLimit = max(1, queueLimit)
        self.queue = CircularBuffer(initialCapacity: 16)
    }

    /// Adds events; when the queue is over its limit the oldest are dropped
    /// (an ephemeral stream's contract) and counted as missed.
    mutating func enqueue<S: Sequence>(_ items: S) where S.Element == Item {
        for item in items {
            if queue.count == queueLimit {
                queue.removeFirst()
                missedPending += 1
                missedTotal += 1
            }
            queue.append(item)
        }
    }

    /// Replaces the newest `items.count` queued items (for example with
    /// copies that hold less memory).
    mutating func replaceNewest(with items: [Item]) {
        precondition(items.count <= queue.count, "replaceNewest: more items than queued")
        var index = queue.index(queue.endIndex, offsetBy: -items.count)
        for item in items {
            queue[index] = item
            index = queue.index(after: index)
        }
    }

    /// Adds credits, capped so that no more than `maxCredits` are outstanding.
    /// Returns the credits actually added.
    @discardableResult
    mutating func grant(_ n: Int) -> Int {
        let added = max(0, min(n, maxCredits - credits))
        credits += added
        return added
    }

    /// Hands `body` the events that may be sent now (at most `limit`) as a
    /// slice of the queue, with the delivery id of the first (the others
    /// follow consecutively); they are removed once `body` returns, and
    /// consume one credit each. Returns how many there were.
    /// `maxBytes` bounds the sum of `size(item)` (at least one item is
    /// handed out), so that a frame stays under the peer's frame limit.
    @discardableResult
    mutating func withSendable(limit: Int, maxBytes: Int = .max, size: (Item) -> Int = { _ in 0 },
                               _ body: (_ firstDeliveryID: UInt64, _ items: CircularBuffer<Item>.SubSequence) -> Void) -> Int {
        var n = 0
        var bytes = 0
        let most = min(limit, credits, queue.count)
        var index = queue.startIndex
        while n < most {
            let itemSize = size(queue[index])
            if n > 0 && bytes + itemSize > maxBytes { break }
            bytes += itemSize
            n += 1
            index = queue.index(after: index)
        }
        guard n > 0 else { return 0 }
        body(delivered + 1, queue[queue.startIndex..<queue.index(queue.startIndex, offsetBy: n)])
        queue.removeFirst(n)
        delivered += UInt64(n)
        credits -= n
        return n
    }

    /// Events dropped since the last call (and resets that count).
    mutating func takeMissed() -> (count: UInt64, total: UInt64)? {
        guard missedPending > 0 else { return nil }
        defer { missedPending = 0 }
        return (missedPending, missedTotal)
    }
}
