/// Where a new durable subscription starts reading the log.
public enum StartPosition: Sendable, Equatable {
    /// The first retained position.
    case earliest
    /// Only events appended after the subscription is created.
    case latest
    /// The first event appended at or after this Unix time (nanoseconds).
    case time(Int64)
    /// This log position.
    case position(UInt64)
}

/// A durable subscription as stored in the state database.
public struct SubscriptionDefinition: Sendable, Equatable {
    /// Unique name.
    public var name: String
    /// Account that owns (and may consume) the subscription.
    public var ownerAccount: String
    /// Bus whose events it receives.
    public var bus: String
    /// Event pattern (EventBridge JSON pattern text).
    public var pattern: String
    /// Retries and dead-lettering.
    public var retryPolicy: RetryPolicy
    /// Subscription that receives dead-lettered events, if any.
    public var deadLetterTarget: String?
    /// A delivery not acknowledged within this time is redelivered (nanoseconds).
    public var ackTimeoutNanos: Int64
    /// Most deliveries outstanding at once across all consumers.
    public var maxInFlight: Int
    /// Where reading starts when the subscription has no cursor yet.
    public var startPosition: StartPosition
    /// When set, events are grouped by this key (e.g. an attribute name) and
    /// each group gets one delivery at a time, in log order.
    public var orderingKey: String?

    /// Creates a definition; defaults: ack timeout 30 s, 1000 in flight, start at latest.
    public init(name: String, ownerAccount: String, bus: String, pattern: String,
                retryPolicy: RetryPolicy = RetryPolicy(), deadLetterTarget: String? = nil,
                ackTimeoutNanos: Int64 = 30_000_000_000, maxInFlight: Int = 1000,
                startPosition: StartPosition = .latest, orderingKey: String? = nil) {
        self.name = name
        self.ownerAccount = ownerAccount
        self.bus = bus
        self.pattern = pattern
        self.retryPolicy = retryPolicy
        self.deadLetterTarget = deadLetterTarget
        self.ackTimeoutNanos = ackTimeoutNanos
        self.maxInFlight = maxInFlight
        self.startPosition = startPosition
        self.orderingKey = orderingKey
    }

    /// Checks the values, naming the first bad one.
    public func validate() throws(StoreError) {
        if name.isEmpty { throw StoreError(.invalidArgument, "subscription name must not be empty") }
        if ownerAccount.isEmpty { throw StoreError(.invalidArgument, "subscription \(name): owner account must not be empty") }
        if bus.isEmpty { throw StoreError(.invalidArgument, "subscription \(name): bus must not be empty") }
        if ackTimeoutNanos <= 0 { throw StoreError(.invalidArgument, "subscription \(name): ack timeout must be positive, got \(ackTimeoutNanos) ns") }
        if maxInFlight < 1 { throw StoreError(.invalidArgument, "subscription \(name): maxInFlight must be at least 1, got \(maxInFlight)") }
        if deadLetterTarget == name { throw StoreError(.invalidArgument, "subscription \(name) cannot be its own dead-letter target") }
        do throws(StoreError) { try retryPolicy.validate() } catch {
            throw StoreError(.invalidArgument, "subscription \(name): \(error.message)")
        }
    }
}

/// One in-flight delivery as persisted (see ``StateStore/checkpoint(subscription:committedPosition:inFlight:now:)``).
public struct PersistedDelivery: Sendable, Equatable {
    /// Log position of the event.
    public var position: UInt64
    /// Deliveries made so far.
    public var attempts: Int
    /// Earliest time to deliver it again after a restart (Unix nanoseconds):
    /// the end of its backoff while waiting for a retry, 0 when it was
    /// outstanding (the consumer that held it is gone).
    public var nextDeliveryAt: Int64
    /// Time of its first delivery attempt (the maximum event age counts from here).
    public var firstAttemptAt: Int64
    /// Ordering group, when the subscription uses an ordering key.
    public var group: [UInt8]?

    public init(position: UInt64, attempts: Int, nextDeliveryAt: Int64, firstAttemptAt: Int64, group: [UInt8]? = nil) {
        self.position = position
        self.attempts = attempts
        self.nextDeliveryAt = nextDeliveryAt
        self.firstAttemptAt = firstAttemptAt
        self.group = group
    }
}

/// A row of the generic document table.
public struct StoredDocument: Sendable, Equatable {
    /// Document kind, e.g. "account", "bus", "rule", "schema".
    public var kind: String
    /// Key within the kind.
    public var key: String
    /// Opaque value (JSON, protobuf, ...).
    public var value: [UInt8]
    /// Incremented on every write, starting at 1 (for optimistic concurrency).
    public var version: Int64
    /// Last write, Unix nanoseconds.
    public var updatedAt: Int64
}
