import JunctionStore
import JunctionWire
import NIOCore

/// One delivery of a durable subscription on its way to a consumer: the
/// stored event (its position is added when it is written) and the attempt.
struct DurableDelivery: Sendable {
    let position: UInt64
    let attempt: UInt32
    /// The event as stored: producer bytes plus stamped fields, no position.
    let event: [UInt8]

    var encodedSize: Int { event.count + ProtoSize.uint64Field(13, position) }
}

/// The service's handle on a consumer stream.
final class DurableConsumerHandle: Sendable {
    let id: ConsumerID
    let stream: NIOLoopBound<DurableStream>

    init(id: ConsumerID, stream: DurableStream, loop: EventLoop) {
        self.id = id
        self.stream = NIOLoopBound(stream, eventLoop: loop)
    }

    /// Hands deliveries to the stream on its event loop.
    func deliver(_ deliveries: [DurableDelivery]) {
        let stream = self.stream
        stream.eventLoop.execute { stream.value.send(deliveries) }
    }

    /// The subscription went away (deleted): the stream ends with `reason`.
    func end(reason: String) {
        let stream = self.stream
        stream.eventLoop.execute { stream.value.endByServer(reason: reason) }
    }
}

/// A consumer of a durable subscription on one connection, confined to its
/// event loop. The delivery service decides what to send (it never exceeds
/// the credits granted, see SubscriptionDeliveryState); the stream numbers
/// the deliveries, remembers which position and attempt each delivery id
/// stands for, and turns the client's Ack and Nack into those.
final class DurableStream {
    let subscriptionID: UInt32
    let consumer: ConsumerID
    private unowned(unsafe) let connection: GatewayConnectionHandler
    private let service: DurableDeliveryService
    private(set) var isOpen = true
    private var nextDeliveryID: UInt64 = 1
    /// Delivery id → (position, attempt) of deliveries not yet answered.
    private var unanswered: [UInt64: (position: UInt64, attempt: UInt32)] = [:]
    private static let maxUnanswered = 100_000
    private static let maxPerFrame = 256
    private static let maxFrameBytes = 1 << 20

    init(subscriptionID: UInt32, consumer: ConsumerID, connection: GatewayConnectionHandler,
         service: DurableDeliveryService) {
        self.subscriptionID = subscriptionID
        self.consumer = consumer
        self.connection = connection
        self.service = service
    }

    /// Writes deliveries in frames of at most 256 events / 1 MiB.
    func send(_ deliveries: [DurableDelivery]) {
        guard isOpen, !deliveries.isEmpty else { return }
        var start = 0
        while start < deliveries.count {
            var end = start
            var bytes = 0
            while end < deliveries.count, end - start < Self.maxPerFrame,
                  end == start || bytes + deliveries[end].encodedSize <= Self.maxFrameBytes {
                bytes += deliveries[end].encodedSize
                end += 1
            }
            let firstID = nextDeliveryID
            for i in start..<end {
                unanswered[firstID + UInt64(i - start)] = (deliveries[i].position, deliveries[i].attempt)
            }
            nextDeliveryID += UInt64(end - start)
            let slice = deliveries[start..<end]
            connection.write(DeliveriesFrame(
                subscriptionID: subscriptionID, items: slice.indices,
                deliveryID: { firstID + UInt64($0 - start) },
                attempt: { slice[$0].attempt },
                eventSize: { slice[$0].encodedSize },
                writeEvent: { i, w in
                    slice[i].event.withUnsafeBytes { w.raw($0) }
                    w.uint64Field(13, slice[i].position)
                }))
            start = end
        }
        if unanswered.count > Self.maxUnanswered { forgetOldest() }
        connection.scheduleFlush()
    }

    func grant(_ credits: Int) {
        guard isOpen, credits > 0 else { return }
        service.credit(consumer, amount: credits)
    }

    func ack(_ deliveryIDs: UnsafeBufferPointer<UInt64>) {
        guard isOpen else { return }
        var positions: [UInt64] = []
        positions.reserveCapacity(deliveryIDs.count)
        for id in deliveryIDs {
            if let entry = unanswered.removeValue(forKey: id) { positions.append(entry.position) }
        }
        if !positions.isEmpty { service.ack(consumer, positions: positions) }
    }

    func nack(_ deliveryIDs: UnsafeBufferPointer<UInt64>, delayMilliseconds: UInt32) {
        guard isOpen else { return }
        var entries: [(position: UInt64, attempt: Int)] = []
        for id in deliveryIDs {
            if let entry = unanswered.removeValue(forKey: id) { entries.append((entry.position, Int(entry.attempt))) }
        }
        let delay: Int64? = delayMilliseconds > 0 ? Int64(delayMilliseconds) * 1_000_000 : nil
        if !entries.isEmpty { service.nack(consumer, entries: entries, delayNanos: delay) }
    }

    /// The client unsubscribed or the connection closed: outstanding
    /// deliveries go back to the subscription (to other consumers).
    func close() {
        guard isOpen else { return }
        isOpen = false
        service.detach(consumer)
    }

    /// The server ended the stream (the subscription was deleted).
    func endByServer(reason: String) {
        guard isOpen else { return }
        isOpen = false
        connection.durableStreamEnded(self, reason: reason)
    }

    private func forgetOldest() {
        let keep = nextDeliveryID > UInt64(Self.maxUnanswered / 2) ? nextDeliveryID - UInt64(Self.maxUnanswered / 2) : 1
        // The service redelivers what stays unanswered at its ack timeout;
        // an ack that comes for a forgotten id is then simply not recognized.
        unanswered = unanswered.filter { $0.key >= keep }
    }
}
