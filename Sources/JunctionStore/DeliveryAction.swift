/// Identifies one consumer (subscriber stream) of a durable subscription.
public struct ConsumerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (a: ConsumerID, b: ConsumerID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "consumer-\(rawValue)" }
}

/// Why an event was dead-lettered.
public enum DeadLetterReason: Sendable, Equatable, CustomStringConvertible {
    /// `maxAttempts` deliveries failed; the last failure was `lastFailure`.
    case maxAttemptsExhausted(lastFailure: DeliveryFailure)
    /// The next retry would start after the maximum event age.
    case maxEventAgeExceeded(lastFailure: DeliveryFailure)

    public var description: String {
        switch self {
        case .maxAttemptsExhausted(let f): "maximum attempts exhausted (last failure: \(f))"
        case .maxEventAgeExceeded(let f): "maximum event age exceeded (last failure: \(f))"
        }
    }
}

/// How one delivery attempt failed.
public enum DeliveryFailure: Sendable, Equatable, CustomStringConvertible {
    /// No ack within the ack timeout.
    case ackTimeout
    /// The consumer nacked it.
    case nacked
    /// The consumer that held it went away.
    case consumerGone
    /// Restored after a restart with its attempts already used up.
    case restoredExhausted

    public var description: String {
        switch self {
        case .ackTimeout: "ack timeout"
        case .nacked: "nack"
        case .consumerGone: "consumer disconnected"
        case .restoredExhausted: "attempts exhausted before restart"
        }
    }
}

/// Something the driver of a ``SubscriptionDeliveryState`` must do.
public enum DeliveryAction: Sendable, Equatable {
    /// Send the event at `position` to `consumer`, labelled with `attempt` (1-based).
    /// The consumer must ack before `ackDeadline` (Unix nanoseconds).
    case deliver(position: UInt64, consumer: ConsumerID, attempt: Int, ackDeadline: Int64)
    /// Move the event at `position` to the dead-letter target with `reason` and
    /// `attempts`, then call ``SubscriptionDeliveryState/deadLetterCompleted(position:now:)``.
    case deadLetter(position: UInt64, reason: DeadLetterReason, attempts: Int)
    /// Read matching events from the log starting at `from` (at most
    /// `maxRecords` matches) and report them with ``SubscriptionDeliveryState/eventsRead(_:through:now:)``.
    case read(from: UInt64, maxRecords: Int)
    /// Every position up to `position` is finished (acked, skipped or
    /// dead-lettered): persist it as the cursor when convenient.
    case commit(position: UInt64)
    /// Call ``SubscriptionDeliveryState/tick(now:)`` at this time (Unix nanoseconds)
    /// unless another event comes first.
    case wake(at: Int64)
}

/// An event read from the log, as given to ``SubscriptionDeliveryState/eventsRead(_:through:now:)``.
public struct DeliveryCandidate: Sendable, Equatable {
    /// Log position.
    public var position: UInt64
    /// Ordering group (the value of the subscription's ordering key), or nil
    /// for events without one (delivered without ordering constraints).
    public var group: [UInt8]?

    public init(position: UInt64, group: [UInt8]? = nil) {
        self.position = position
        self.group = group
    }
}

/// Settings of one subscription's delivery.
public struct DeliveryConfiguration: Sendable, Equatable {
    /// Retries and dead-lettering.
    public var retryPolicy: RetryPolicy
    /// Time to ack a delivery before it is retried (nanoseconds).
    public var ackTimeoutNanos: Int64
    /// Most outstanding deliveries across all consumers.
    public var maxInFlight: Int
    /// Most events held in memory (outstanding, waiting for a retry or blocked
    /// behind their ordering group). Reading the log pauses at this limit;
    /// the rest of the backlog stays in the log. Default `max(4 * maxInFlight, 256)`.
    public var maxBuffered: Int
    /// Whether ordering groups are honoured (one outstanding delivery per group, in order).
    public var orderingEnabled: Bool

    public init(retryPolicy: RetryPolicy = RetryPolicy(), ackTimeoutNanos: Int64 = 30_000_000_000,
                maxInFlight: Int = 1000, maxBuffered: Int? = nil, orderingEnabled: Bool = false) {
        self.retryPolicy = retryPolicy
        self.ackTimeoutNanos = ackTimeoutNanos
        self.maxInFlight = max(maxInFlight, 1)
        self.maxBuffered = max(maxBuffered ?? max(4 * maxInFlight, 256), self.maxInFlight)
        self.orderingEnabled = orderingEnabled
    }

    /// The delivery settings of a stored subscription.
    public init(_ definition: SubscriptionDefinition, maxBuffered: Int? = nil) {
        self.init(retryPolicy: definition.retryPolicy, ackTimeoutNanos: definition.ackTimeoutNanos,
                  maxInFlight: definition.maxInFlight, maxBuffered: maxBuffered,
                  orderingEnabled: definition.orderingKey != nil)
    }
}
