import JunctionWire
import NIOCore

/// The bytes behind the deliveries of one publish batch: the frame body
/// (events are slices of it) and the batch's stamped suffixes (a slice of a
/// stamp buffer of at most 16 KiB that consecutive batches share, see
/// `PublishProcessor.stampChunkBytes`). Shared by every delivery of the
/// batch, so a delivery costs one reference, not two buffers.
final class DeliverySource: Sendable {
    let body: ByteBuffer
    let stamps: ByteBuffer

    init(body: ByteBuffer, stamps: ByteBuffer) {
        self.body = body
        self.stamps = stamps
    }
}

/// One event on its way to a subscriber: the producer's encoded bytes (a
/// range of the publish frame, not copied), the gateway's stamped suffix
/// (the same bytes the log stored after them), then the log position.
struct DeliveryItem: Sendable {
    let source: DeliverySource
    /// Offsets relative to the readable bytes of `source.body` / `source.stamps`.
    let eventOffset: UInt32
    let eventLength: UInt32
    let stampOffset: UInt32
    let stampLength: UInt32
    var attempt: UInt32
    /// Written after the suffix as `Event.position` (field 13).
    let position: UInt64

    var encodedSize: Int {
        Int(eventLength) + Int(stampLength) + ProtoSize.uint64Field(13, position)
    }

    /// Writes the event (original bytes, the suffix, the position).
    @inline(__always)
    func write(into w: inout ProtoWriter) {
        source.body.withUnsafeReadableBytes { w.raw(UnsafeRawBufferPointer(rebasing: $0[Int(eventOffset)..<Int(eventOffset + eventLength)])) }
        source.stamps.withUnsafeReadableBytes { w.raw(UnsafeRawBufferPointer(rebasing: $0[Int(stampOffset)..<Int(stampOffset + stampLength)])) }
        w.uint64Field(13, position)
    }
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
}

/// A subscription stream on one connection, confined to its event loop.
final class SubscriptionStream {
    let subscriptionID: UInt32
    let bus: String
    private var flow: SubscriptionFlow<DeliveryItem>
    private unowned(unsafe) let connection: GatewayConnectionHandler
    private(set) var isOpen = true
    /// Deliveries in one frame at most.
    private static let maxPerFrame = 256
    /// Bytes of events in one frame at most (a frame may exceed it only by
    /// holding a single event larger than it), well under the 4 MiB frame
    /// limit that clients assume by default.
    private static let maxFrameBytes = 1 << 20

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
        compactWaiting(count: min(items.count, flow.queue.count))
    }

    /// Events that must wait for credits should not keep whole publish
    /// frames alive (a frame can be megabytes for one small matching event):
    /// copy the newest `count` queued events into one buffer of their own
    /// when their frame is much larger than they are.
    private func compactWaiting(count: Int) {
        guard count > 0 else { return }
        let waiting = flow.queue.suffix(count)
        let bytes = waiting.reduce(0) { $0 + $1.encodedSize }
        let pinned = waiting.first!.source.body.readableBytes
        guard pinned > 2 * bytes + 4096 else { return }
        var buffer = connection.allocator.buffer(capacity: bytes)
        var compacted: [DeliveryItem] = []
        compacted.reserveCapacity(count)
        var layout: [(event: Range<Int>, stamp: Range<Int>, attempt: UInt32, position: UInt64)] = []
        for item in waiting {
            let eventStart = buffer.writerIndex
            item.source.body.withUnsafeReadableBytes {
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: $0[Int(item.eventOffset)..<Int(item.eventOffset + item.eventLength)]))
            }
            let stampStart = buffer.writerIndex
            item.source.stamps.withUnsafeReadableBytes {
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: $0[Int(item.stampOffset)..<Int(item.stampOffset + item.stampLength)]))
            }
            layout.append((eventStart..<stampStart, stampStart..<buffer.writerIndex, item.attempt, item.position))
        }
        let own = DeliverySource(body: buffer, stamps: buffer)
        for entry in layout {
            compacted.append(DeliveryItem(
                source: own, eventOffset: UInt32(entry.event.lowerBound), eventLength: UInt32(entry.event.count),
                stampOffset: UInt32(entry.stamp.lowerBound), stampLength: UInt32(entry.stamp.count), attempt: entry.attempt,
                position: entry.position))
        }
        flow.replaceNewest(with: compacted)
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
            let sent = flow.withSendable(limit: Self.maxPerFrame, maxBytes: Self.maxFrameBytes, size: { $0.encodedSize + 32 }) { firstID, items in
                let base = items.startIndex
                connection.write(DeliveriesFrame(
                    subscriptionID: subscriptionID, items: items.indices,
                    deliveryID: { firstID + UInt64(items.distance(from: base, to: $0)) },
                    attempt: { items[$0].attempt },
                    eventSize: { items[$0].encodedSize },
                    writeEvent: { i, w in items[i].write(into: &w) }))
            }
            if sent == 0 { break }
        }
        connection.scheduleFlush()
    }
}
