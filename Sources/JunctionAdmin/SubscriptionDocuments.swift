/// `subscription.create`: a durable subscription to define. Absent fields
/// take the defaults noted on each.
public struct SubscriptionSpec: Codable, Sendable, Equatable {
    /// Unique name (letters, digits, `.`, `_`, `-`; at most 200 bytes).
    public var name: String
    /// Bus whose events it receives. Default "default".
    public var bus: String?
    /// EventBridge pattern (JSON text). Default: every event of the bus.
    public var pattern: String?
    /// Deliveries before dead-lettering. Default 185.
    public var maxAttempts: Int?
    /// Longest time from the first attempt to a retry, in ms. Default 24 h; 0: no limit.
    public var maxEventAgeMs: Int64?
    /// Backoff cap before the first retry, in ms. Default 1,000.
    public var initialBackoffMs: Int64?
    /// Largest backoff cap, in ms. Default 300,000.
    public var maxBackoffMs: Int64?
    /// Subscription that receives dead-lettered events. Default: none (dead
    /// letters are logged and dropped).
    public var deadLetter: String?
    /// Time to ack a delivery before it is redelivered, in ms. Default 30,000.
    public var ackTimeoutMs: Int64?
    /// Most deliveries outstanding across all consumers. Default 1,000.
    public var maxInFlight: Int?
    /// Where a new subscription starts: "earliest", "latest" (default),
    /// "time:<RFC 3339>" or "position:<N>".
    public var start: String?
    /// Attribute whose value groups events: one delivery at a time per group,
    /// in log order. Default: no ordering groups.
    public var orderingKey: String?

    public init(name: String, bus: String? = nil, pattern: String? = nil) {
        self.name = name
        self.bus = bus
        self.pattern = pattern
    }
}

/// A durable subscription as reported by `subscription.get`, `.list` and `.create`.
public struct SubscriptionInfo: Codable, Sendable, Equatable {
    public var name: String
    public var owner: String
    public var bus: String
    public var pattern: String
    public var maxAttempts: Int
    /// 0: no limit.
    public var maxEventAgeMs: Int64
    public var initialBackoffMs: Int64
    public var maxBackoffMs: Int64
    public var deadLetter: String?
    public var ackTimeoutMs: Int64
    public var maxInFlight: Int
    public var orderingKey: String?
    /// Every log position up to this one is finished for the subscription.
    public var committedPosition: UInt64
    /// The log's last position (the backlog is at most the difference).
    public var lastPosition: UInt64
    /// Deliveries awaiting an ack.
    public var outstanding: Int
    /// Consumers attached now.
    public var consumers: Int
    /// Events moved to the dead-letter subscription (or dropped without one) since the gateway started.
    public var deadLettered: UInt64

    public init(name: String, owner: String, bus: String, pattern: String, maxAttempts: Int, maxEventAgeMs: Int64,
                initialBackoffMs: Int64, maxBackoffMs: Int64, deadLetter: String?, ackTimeoutMs: Int64, maxInFlight: Int,
                orderingKey: String?, committedPosition: UInt64, lastPosition: UInt64, outstanding: Int, consumers: Int,
                deadLettered: UInt64) {
        self.name = name
        self.owner = owner
        self.bus = bus
        self.pattern = pattern
        self.maxAttempts = maxAttempts
        self.maxEventAgeMs = maxEventAgeMs
        self.initialBackoffMs = initialBackoffMs
        self.maxBackoffMs = maxBackoffMs
        self.deadLetter = deadLetter
        self.ackTimeoutMs = ackTimeoutMs
        self.maxInFlight = maxInFlight
        self.orderingKey = orderingKey
        self.committedPosition = committedPosition
        self.lastPosition = lastPosition
        self.outstanding = outstanding
        self.consumers = consumers
        self.deadLettered = deadLettered
    }
}

/// A request that names one thing: `subscription.get`, `subscription.delete`, `rule.delete`.
public struct NameRequest: Codable, Sendable, Equatable {
    public var name: String
    public init(name: String) { self.name = name }
}

/// `subscription.list`'s answer.
public struct SubscriptionList: Codable, Sendable, Equatable {
    public var subscriptions: [SubscriptionInfo]
    public init(subscriptions: [SubscriptionInfo]) { self.subscriptions = subscriptions }
}

/// The answer to `subscription.delete` and `rule.delete`.
public struct DeleteResult: Codable, Sendable, Equatable {
    public var deleted: Bool
    public init(deleted: Bool) { self.deleted = deleted }
}

/// `subscription.replay`: redeliver the subscription's matching events of a
/// log range. `from` and `to` are "time:<RFC 3339>" or "position:<N>";
/// `to` defaults to the log's end at the time of the request (inclusive).
public struct ReplayRequest: Codable, Sendable, Equatable {
    public var name: String
    public var from: String
    public var to: String?
    public init(name: String, from: String, to: String? = nil) {
        self.name = name
        self.from = from
        self.to = to
    }
}

/// `subscription.replay`'s answer.
public struct ReplayResult: Codable, Sendable, Equatable {
    /// Matching events queued for redelivery.
    public var replayed: Int
    /// The log range that was scanned.
    public var fromPosition: UInt64
    public var toPosition: UInt64
    public init(replayed: Int, fromPosition: UInt64, toPosition: UInt64) {
        self.replayed = replayed
        self.fromPosition = fromPosition
        self.toPosition = toPosition
    }
}

/// `log.stats`'s answer: the event log's counters since the gateway started.
public struct LogStatistics: Codable, Sendable, Equatable {
    public var firstPosition: UInt64
    public var lastPosition: UInt64
    /// Positions up to this one are on stable storage.
    public var durablePosition: UInt64
    public var segments: Int
    public var bytes: Int64
    public var fsync: String
    /// Append calls (one per drained group of publish batches, plus dead letters and replays).
    public var appendCalls: UInt64
    public var records: UInt64
    /// Writes of the pending buffer (group commits).
    public var groupCommits: UInt64
    public var syncs: UInt64
    public var bytesWritten: UInt64

    public init(firstPosition: UInt64, lastPosition: UInt64, durablePosition: UInt64, segments: Int, bytes: Int64, fsync: String,
                appendCalls: UInt64, records: UInt64, groupCommits: UInt64, syncs: UInt64, bytesWritten: UInt64) {
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
        self.durablePosition = durablePosition
        self.segments = segments
        self.bytes = bytes
        self.fsync = fsync
        self.appendCalls = appendCalls
        self.records = records
        self.groupCommits = groupCommits
        self.syncs = syncs
        self.bytesWritten = bytesWritten
    }
}
