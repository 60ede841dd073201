// The bodies of ServerFrame (see Protos/junction/v1/protocol.proto).

/// `Welcome`: the answer to Hello.
public struct WelcomeFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 1
    public var protocolVersion: UInt32 = 1
    public var server: String
    public var account: String
    public var maxFrameBytes: UInt32
    public var maxBatchEvents: UInt32
    public var maxEventBytes: UInt32
    public var maxCredits: UInt32
    public var sessionID: String

    public init(server: String, account: String, maxFrameBytes: UInt32, maxBatchEvents: UInt32,
                maxEventBytes: UInt32, maxCredits: UInt32, sessionID: String) {
        self.server = server
        self.account = account
        self.maxFrameBytes = maxFrameBytes
        self.maxBatchEvents = maxBatchEvents
        self.maxEventBytes = maxEventBytes
        self.maxCredits = maxCredits
        self.sessionID = sessionID
    }

    public var bodySize: Int {
        ProtoSize.uint64Field(1, UInt64(protocolVersion)) + ProtoSize.stringField(2, server)
            + ProtoSize.stringField(3, account) + ProtoSize.uint64Field(4, UInt64(maxFrameBytes))
            + ProtoSize.uint64Field(5, UInt64(maxBatchEvents)) + ProtoSize.uint64Field(6, UInt64(maxEventBytes))
            + ProtoSize.uint64Field(7, UInt64(maxCredits)) + ProtoSize.stringField(8, sessionID)
    }

    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, UInt64(protocolVersion))
        w.stringField(2, server)
        w.stringField(3, account)
        w.uint64Field(4, UInt64(maxFrameBytes))
        w.uint64Field(5, UInt64(maxBatchEvents))
        w.uint64Field(6, UInt64(maxEventBytes))
        w.uint64Field(7, UInt64(maxCredits))
        w.stringField(8, sessionID)
    }
}

/// `junction.v1.RejectCode`.
public struct RejectCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let accepted = RejectCode(rawValue: 0)
    public static let invalidEvent = RejectCode(rawValue: 1)
    public static let tooLarge = RejectCode(rawValue: 2)
    public static let unknownBus = RejectCode(rawValue: 3)
    public static let notAuthorized = RejectCode(rawValue: 4)
    public static let schemaUnknown = RejectCode(rawValue: 5)
    public static let schemaViolation = RejectCode(rawValue: 6)
    public static let unavailable = RejectCode(rawValue: 7)
    public static let duplicate = RejectCode(rawValue: 8)
    public static let `internal` = RejectCode(rawValue: 9)

    public var description: String {
        switch self {
        case .accepted: "ACCEPTED"
        case .invalidEvent: "REJECT_INVALID_EVENT"
        case .tooLarge: "REJECT_TOO_LARGE"
        case .unknownBus: "REJECT_UNKNOWN_BUS"
        case .notAuthorized: "REJECT_NOT_AUTHORIZED"
        case .schemaUnknown: "REJECT_SCHEMA_UNKNOWN"
        case .schemaViolation: "REJECT_SCHEMA_VIOLATION"
        case .unavailable: "REJECT_UNAVAILABLE"
        case .duplicate: "REJECT_DUPLICATE"
        case .internal: "REJECT_INTERNAL"
        default: "REJECT_\(rawValue)"
        }
    }
}

/// One `EventResult` as the gateway writes it. `id` points at bytes the
/// caller keeps alive while the frame is written.
public struct EventOutcome {
    public var id: UnsafeRawBufferPointer
    public var position: UInt64
    public var code: RejectCode
    public var message: String

    public init(id: UnsafeRawBufferPointer, position: UInt64, code: RejectCode, message: String = "") {
        self.id = id
        self.position = position
        self.code = code
        self.message = message
    }

    @inlinable var bodySize: Int {
        ProtoSize.bytesField(1, count: id.count) + ProtoSize.uint64Field(2, position)
            + ProtoSize.uint64Field(3, UInt64(UInt32(bitPattern: code.rawValue))) + ProtoSize.stringField(4, message)
    }
}

/// `PublishAck` for one batch.
public struct PublishAckFrame: FrameBody {
    public static let frameField: UInt32 = 2
    public let batchID: UInt64
    public let outcomes: UnsafeBufferPointer<EventOutcome>
    /// Computed once, when the frame is made (header, buffer and encoding
    /// all need the sizes).
    public let bodySize: Int
    @usableFromInline let acceptedCount: UInt64

    @inlinable
    public init(batchID: UInt64, outcomes: UnsafeBufferPointer<EventOutcome>) {
        self.batchID = batchID
        self.outcomes = outcomes
        var accepted: UInt64 = 0
        var size = ProtoSize.uint64Field(1, batchID)
        for o in outcomes {
            if o.code == .accepted { accepted += 1 }
            size += ProtoSize.messageField(2, length: o.bodySize)
        }
        self.acceptedCount = accepted
        self.bodySize = size + ProtoSize.uint64Field(3, accepted)
    }

    @inlinable
    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, batchID)
        for o in outcomes {
            w.messageHeader(2, length: o.bodySize)
            w.bytesField(1, o.id)
            w.uint64Field(2, o.position)
            w.uint64Field(3, UInt64(UInt32(bitPattern: o.code.rawValue)))
            w.stringField(4, o.message)
        }
        w.uint64Field(3, acceptedCount)
    }
}

/// `Subscribed`.
public struct SubscribedFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 3
    public var subscriptionID: UInt32
    public var queueLimit: UInt32

    public init(subscriptionID: UInt32, queueLimit: UInt32) {
        self.subscriptionID = subscriptionID
        self.queueLimit = queueLimit
    }

    public var bodySize: Int { ProtoSize.uint64Field(1, UInt64(subscriptionID)) + ProtoSize.uint64Field(2, UInt64(queueLimit)) }
    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, UInt64(subscriptionID))
        w.uint64Field(2, UInt64(queueLimit))
    }
}

/// `Deliveries` of already-encoded events, each written by the caller (for
/// the gateway: the original bytes, the stamped suffix and the position; see
/// event.proto): `eventSize(e)` is its encoded size, `writeEvent(e, &writer)`
/// writes exactly that many bytes.
public struct DeliveriesFrame<Items: Collection>: FrameBody {
    public static var frameField: UInt32 { 4 }
    public let subscriptionID: UInt32
    public let items: Items
    public let deliveryID: (Items.Element) -> UInt64
    public let attempt: (Items.Element) -> UInt32
    public let eventSize: (Items.Element) -> Int
    public let writeEvent: (Items.Element, inout ProtoWriter) -> Void

    @inlinable
    public init(subscriptionID: UInt32, items: Items,
                deliveryID: @escaping (Items.Element) -> UInt64,
                attempt: @escaping (Items.Element) -> UInt32,
                eventSize: @escaping (Items.Element) -> Int,
                writeEvent: @escaping (Items.Element, inout ProtoWriter) -> Void) {
        self.subscriptionID = subscriptionID
        self.items = items
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.eventSize = eventSize
        self.writeEvent = writeEvent
        var size = ProtoSize.uint64Field(1, UInt64(subscriptionID))
        for item in items {
            size += ProtoSize.messageField(2, length: Self.deliverySize(deliveryID(item), attempt(item), eventSize(item)))
        }
        self.bodySize = size
    }

    @inlinable static func deliverySize(_ deliveryID: UInt64, _ attempt: UInt32, _ eventSize: Int) -> Int {
        ProtoSize.uint64Field(1, deliveryID) + ProtoSize.uint64Field(2, UInt64(attempt))
            + ProtoSize.messageField(3, length: eventSize)
    }

    /// Computed once, when the frame is made: the header and the buffer
    /// size need it, and each item's size takes three closure calls.
    public let bodySize: Int

    @inlinable
    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, UInt64(subscriptionID))
        for item in items {
            let id = deliveryID(item), attempt = attempt(item), eventSize = eventSize(item)
            w.messageHeader(2, length: Self.deliverySize(id, attempt, eventSize))
            w.uint64Field(1, id)
            w.uint64Field(2, UInt64(attempt))
            w.messageHeader(3, length: eventSize)
            writeEvent(item, &w)
        }
    }
}

/// `Missed`: events dropped from an ephemeral subscription's queue.
public struct MissedFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 5
    public var subscriptionID: UInt32
    public var count: UInt64
    public var total: UInt64

    public init(subscriptionID: UInt32, count: UInt64, total: UInt64) {
        self.subscriptionID = subscriptionID
        self.count = count
        self.total = total
    }

    public var bodySize: Int {
        ProtoSize.uint64Field(1, UInt64(subscriptionID)) + ProtoSize.uint64Field(2, count) + ProtoSize.uint64Field(3, total)
    }

    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, UInt64(subscriptionID))
        w.uint64Field(2, count)
        w.uint64Field(3, total)
    }
}

/// `Pong`.
public struct PongFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 6
    public var nonce: UInt64

    public init(nonce: UInt64) { self.nonce = nonce }

    public var bodySize: Int { ProtoSize.uint64Field(1, nonce) }
    public func encode(into w: inout ProtoWriter) { w.uint64Field(1, nonce) }
}

/// `Error`.
public struct ErrorFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 7
    public var error: WireError
    public var fatal: Bool
    public var subscriptionID: UInt32
    public var batchID: UInt64

    public init(_ error: WireError, fatal: Bool, subscriptionID: UInt32 = 0, batchID: UInt64 = 0) {
        self.error = error
        self.fatal = fatal
        self.subscriptionID = subscriptionID
        self.batchID = batchID
    }

    public var bodySize: Int {
        ProtoSize.uint64Field(1, UInt64(UInt32(bitPattern: error.code.rawValue))) + ProtoSize.stringField(2, error.message)
            + ProtoSize.boolField(3, fatal) + ProtoSize.uint64Field(4, UInt64(subscriptionID))
            + ProtoSize.uint64Field(5, batchID)
    }

    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, UInt64(UInt32(bitPattern: error.code.rawValue)))
        w.stringField(2, error.message)
        w.boolField(3, fatal)
        w.uint64Field(4, UInt64(subscriptionID))
        w.uint64Field(5, batchID)
    }
}

/// `Closing`: the server closes after the frames already sent.
public struct ClosingFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 8
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var bodySize: Int { ProtoSize.stringField(1, reason) }
    public func encode(into w: inout ProtoWriter) { w.stringField(1, reason) }
}

/// `Unsubscribed`.
public struct UnsubscribedFrame: FrameBody, Sendable {
    public static let frameField: UInt32 = 9
    public var subscriptionID: UInt32
    public var reason: String

    public init(subscriptionID: UInt32, reason: String) {
        self.subscriptionID = subscriptionID
        self.reason = reason
    }

    public var bodySize: Int { ProtoSize.uint64Field(1, UInt64(subscriptionID)) + ProtoSize.stringField(2, reason) }
    public func encode(into w: inout ProtoWriter) {
        w.uint64Field(1, UInt64(subscriptionID))
        w.stringField(2, reason)
    }
}
