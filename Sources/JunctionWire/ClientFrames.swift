// The bodies of ClientFrame (see Protos/junction/v1/protocol.proto).

/// `Hello`: the first frame on a connection.
public struct HelloFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 1
    public var token: String
    public var clientName: String
    public var protocolVersion: UInt32

    public init(token: String, clientName: String = "", protocolVersion: UInt32 = 1) {
        self.token = token
        self.clientName = clientName
        self.protocolVersion = protocolVersion
    }

    public var bodySize: Int {
        ProtoSize.stringField(1, token) + ProtoSize.stringField(2, clientName)
            + ProtoSize.uint64Field(3, UInt64(protocolVersion))
    }

    public func encode(into w: inout ProtoWriter) {
        w.stringField(1, token)
        w.stringField(2, clientName)
        w.uint64Field(3, UInt64(protocolVersion))
    }
}

/// `PublishBatch` over events that are already encoded (as `Event` message
/// bodies). `eventSize(i)` and `writeEvent(i, &writer)` give event `i`.
public struct PublishBatchFrame<Events: RandomAccessCollection>: FrameBody where Events.Index == Int {
    public static var frameField: UInt32 { 2 }
    public let batchID: UInt64
    public let bus: String
    public let events: Events
    public let eventSize: (Events.Element) -> Int
    public let writeEvent: (Events.Element, inout ProtoWriter) -> Void
    /// Computed once, when the frame is made (header, buffer and encoding
    /// all need it; each event's size is a closure call).
    public let bodySize: Int

    @inlinable
    public init(batchID: UInt64, bus: String = "", events: Events,
                eventSize: @escaping (Events.Element) -> Int,
                writeEvent: @escaping (Events.Element, inout ProtoWriter) -> Void) {
        self.batchID = batchID
        self.bus = bus
        self.events = events
        self.eventSize = eventSize
        self.writeEvent = writeEvent
        var size = ProtoSize.uint64Field(1, batchID) + ProtoSize.stringField(3, bus)
        for event in events { size += ProtoSize.messageField(2, length: eventSize(event)) }
        self.bodySize = size
    }

    @inlinable
    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, batchID)
        for event in events {
            w.messageHeader(2, length: eventSize(event))
            writeEvent(event, &w)
        }
        w.stringField(3, bus)
    }
}

extension PublishBatchFrame where Events.Element == OutgoingEvent {
    /// A batch of `OutgoingEvent` values.
    public init(batchID: UInt64, bus: String = "", events: Events) {
        self.init(batchID: batchID, bus: bus, events: events,
                  eventSize: { $0.encodedSize }, writeEvent: { $0.encode(into: &$1) })
    }
}

/// `Subscribe`: opens a subscription stream.
public struct SubscribeFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 3
    public var subscriptionID: UInt32
    public var pattern: String
    public var subscription: String
    public var bus: String
    public var credits: UInt32

    public init(subscriptionID: UInt32, pattern: String = "", subscription: String = "", bus: String = "", credits: UInt32) {
        self.subscriptionID = subscriptionID
        self.pattern = pattern
        self.subscription = subscription
        self.bus = bus
        self.credits = credits
    }

    public var bodySize: Int {
        ProtoSize.uint64Field(1, UInt64(subscriptionID)) + ProtoSize.stringField(2, pattern)
            + ProtoSize.stringField(3, subscription) + ProtoSize.stringField(4, bus)
            + ProtoSize.uint64Field(5, UInt64(credits))
    }

    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, UInt64(subscriptionID))
        w.stringField(2, pattern)
        w.stringField(3, subscription)
        w.stringField(4, bus)
        w.uint64Field(5, UInt64(credits))
    }
}

/// `Ack` (field 4) or `Nack` (field 5) of deliveries.
public struct AckFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 4
    public var subscriptionID: UInt32
    public var deliveryIDs: [UInt64]

    public init(subscriptionID: UInt32, deliveryIDs: [UInt64]) {
        self.subscriptionID = subscriptionID
        self.deliveryIDs = deliveryIDs
    }

    var packedSize: Int { deliveryIDs.reduce(0) { $0 + ProtoSize.varint($1) } }

    public var bodySize: Int {
        let packed = packedSize
        return ProtoSize.uint64Field(1, UInt64(subscriptionID)) + (packed == 0 ? 0 : ProtoSize.messageField(2, length: packed))
    }

    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, UInt64(subscriptionID))
        let packed = packedSize
        guard packed > 0 else { return }
        w.messageHeader(2, length: packed)
        for id in deliveryIDs { w.varint(id) }
    }
}

/// `Nack`: deliveries to redeliver after `delayMilliseconds`.
public struct NackFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 5
    public var ack: AckFrame
    public var delayMilliseconds: UInt32
    public var reason: String

    public init(subscriptionID: UInt32, deliveryIDs: [UInt64], delayMilliseconds: UInt32 = 0, reason: String = "") {
        self.ack = AckFrame(subscriptionID: subscriptionID, deliveryIDs: deliveryIDs)
        self.delayMilliseconds = delayMilliseconds
        self.reason = reason
    }

    public var bodySize: Int {
        ack.bodySize + ProtoSize.uint64Field(3, UInt64(delayMilliseconds)) + ProtoSize.stringField(4, reason)
    }

    public func encode(into w: inout ProtoWriter) {
        ack.encode(into: &w)
        w.uint64Field(3, UInt64(delayMilliseconds))
        w.stringField(4, reason)
    }
}

/// `Credit`: grants more deliveries.
public struct CreditFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 6
    public var subscriptionID: UInt32
    public var credits: UInt32

    public init(subscriptionID: UInt32, credits: UInt32) {
        self.subscriptionID = subscriptionID
        self.credits = credits
    }

    public var bodySize: Int { ProtoSize.uint64Field(1, UInt64(subscriptionID)) + ProtoSize.uint64Field(2, UInt64(credits)) }

    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, UInt64(subscriptionID))
        w.uint64Field(2, UInt64(credits))
    }
}

/// `Unsubscribe`.
public struct UnsubscribeFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 7
    public var subscriptionID: UInt32

    public init(subscriptionID: UInt32) { self.subscriptionID = subscriptionID }

    public var bodySize: Int { ProtoSize.uint64Field(1, UInt64(subscriptionID)) }
    public func encode(into w: inout ProtoWriter) { w.uint64Field(1, UInt64(subscriptionID)) }
}

/// `Ping` (client, field 8) — answered by `Pong` with the same nonce.
public struct PingFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 8
    public var nonce: UInt64

    public init(nonce: UInt64) { self.nonce = nonce }

    public var bodySize: Int { ProtoSize.uint64Field(1, nonce) }
    public func encode(into w: inout ProtoWriter) { w.uint64Field(1, nonce) }
}

/// `Close`: the client is done.
public struct CloseFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 9
    public var reason: String

    public init(reason: String = "") { self.reason = reason }

    public var bodySize: Int { ProtoSize.stringField(1, reason) }
    public func encode(into w: inout ProtoWriter) { w.stringField(1, reason) }
}
