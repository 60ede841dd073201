import JunctionWire
import NIOCore

/// One event on its way to a subscriber: the producer's encoded bytes (a
/// slice of the publish frame, not copied) and the gateway's stamped suffix.
struct DeliveryItem: Sendable {
    var event: ByteBuffer
    var stamp: ByteBuffer
    var attempt: UInt32

    var encodedSize: Int { event.readableBytes + stamp.readableBytes }
}

/// The router's handle on a stream: where it lives and how to reach it.
final class SubscriptionTarget: Sendable {
    let pattern: SubscriptionPattern
    let loop: EventLoop
    let stream: NIOLoopBound<SubscriptionStream>

    init(pattern: SubscriptionPattern, stream: SubscriptionStream, loop: EventLoop) {
        self.pattern = pattern
        self.loop = loop
        self.stream = NIOLoopBound(stream, eventLoop: loop)
    }

    /// Hands events to the stream on its event loop.
    func deliver(_ items: [DeliveryItem]) {
        let stream = self.stream
        loop.execute { stream.value.enqueue(items) }
    }
}

/// A subscription stream on one connection, confined to its event loop.
final class SubscriptionStream {
    let subscriptionID: UInt32
    let bus: String
    private var flow: SubscriptionFlow<DeliveryItem>
    private unowned(unsafe) let connection: GatewayConnectionHandler
    private(set) var isOpen = true
    /// Deliveries in one frame at most (keeps frames well under the limit).
    private static let maxPerFrame = 256

    init(subscriptionID: UInt32, bus: String, credits: Int, limits: GatewayConfiguration.Limits, connection: GatewayConnectionHandler) {
        self.subscriptionID = subscriptionID
        self.bus = bus
        self.flow = SubscriptionFlow(initialCredits: credits, queueLimit: limits.subscriptionQueueLimit, maxCredits: limits.maxCredits)
        self.connection = connection
    }

    var queueLimit: Int { flow.queueLimit }

    func enqueue(_ items: [DeliveryItem]) {
        guard isOpen else { return }
        flow.enqueue(items)
        pump()
    }

    func grant(_ credits: Int) {
        guard isOpen else { return }
        flow.grant(credits)
        pump()
    }

    func close() { isOpen = false }

    /// Sends what credits and the socket allow, then any Missed notice.
    func pump() {
        guard isOpen else { return }
        if let missed = flow.takeMissed() {
            connection.write(MissedFrame(subscriptionID: subscriptionID, count: missed.count, total: missed.total))
        }
        while connection.isWritable {
            var batch: [(UInt64, DeliveryItem)] = []
            let n = flow.takeSendable(limit: Self.maxPerFrame) { id, item in batch.append((id, item)) }
            if n == 0 { break }
            connection.write(DeliveriesFrame(
                subscriptionID: subscriptionID, items: batch,
                deliveryID: { $0.0 }, attempt: { $0.1.attempt },
                eventSize: { $0.1.encodedSize },
                writeEvent: { item, w in
                    item.1.event.withUnsafeReadableBytes { w.raw($0) }
                    item.1.stamp.withUnsafeReadableBytes { w.raw($0) }
                }))
        }
        connection.scheduleFlush()
    }
}
