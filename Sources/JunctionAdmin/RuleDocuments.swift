/// `rule.create`: a rule that forwards the events of one bus that match a
/// pattern to another bus (where that bus's subscriptions see them).
public struct RuleSpec: Codable, Sendable, Equatable {
    /// Unique name (letters, digits, `.`, `_`, `-`; at most 200 bytes).
    public var name: String
    /// The bus whose events the rule reads.
    public var bus: String
    /// EventBridge pattern (JSON text); default: every event of the bus.
    public var pattern: String?
    /// The bus the matching events are forwarded to (not `bus`).
    public var targetBus: String
    /// Where a new rule starts reading: "earliest", "latest" (default),
    /// "time:<RFC 3339>" or "position:<N>".
    public var start: String?

    public init(name: String, bus: String, pattern: String? = nil, targetBus: String, start: String? = nil) {
        self.name = name
        self.bus = bus
        self.pattern = pattern
        self.targetBus = targetBus
        self.start = start
    }
}

/// A rule as `rule.list` and `rule.create` report it.
public struct RuleInfo: Codable, Sendable, Equatable {
    public var name: String
    /// The account that created it.
    public var owner: String
    public var bus: String
    public var pattern: String
    public var targetBus: String
    /// The next log position the rule will read.
    public var nextPosition: UInt64
    /// Events forwarded since the gateway started.
    public var forwarded: UInt64

    public init(name: String, owner: String, bus: String, pattern: String, targetBus: String, nextPosition: UInt64, forwarded: UInt64) {
        self.name = name
        self.owner = owner
        self.bus = bus
        self.pattern = pattern
        self.targetBus = targetBus
        self.nextPosition = nextPosition
        self.forwarded = forwarded
    }
}

/// `rule.list`'s answer.
public struct RuleList: Codable, Sendable, Equatable {
    public var rules: [RuleInfo]
    public init(rules: [RuleInfo]) { self.rules = rules }
}
