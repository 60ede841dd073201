/// The caller's identifier for a rule. The matcher never interprets it; it hands back the ids of the
/// rules an event matches.
public typealias PatternRuleID = UInt32
