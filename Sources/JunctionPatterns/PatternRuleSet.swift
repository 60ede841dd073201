/// The rules of one bus, as a value: add, replace and remove rules, then ``compile()`` them into one
/// ``PatternAutomaton``.
///
/// Compiling is a full rebuild, linear in the size of the rules (about a second for 100,000 mixed
/// rules, see docs/bench-patterns.md); batch changes and compile once. ``PatternMatcher`` wraps a rule
/// set for concurrent use.
public struct PatternRuleSet: Sendable {
    private var rules: [PatternRuleID: EventPattern] = [:]

    public init() {}

    /// Adds a rule, or replaces the pattern of an existing rule with this id.
    public mutating func add(_ id: PatternRuleID, _ pattern: EventPattern) {
        rules[id] = pattern
    }

    /// Removes a rule; returns whether it was present.
    @discardableResult
    public mutating func remove(_ id: PatternRuleID) -> Bool {
        rules.removeValue(forKey: id) != nil
    }

    /// Removes every rule.
    public mutating func removeAll() {
        rules.removeAll()
    }

    /// The number of rules.
    public var count: Int { rules.count }

    /// Whether a rule with this id is present.
    public func contains(_ id: PatternRuleID) -> Bool { rules[id] != nil }

    /// The pattern of a rule.
    public subscript(id: PatternRuleID) -> EventPattern? { rules[id] }

    /// The rule ids, sorted.
    public var ids: [PatternRuleID] { rules.keys.sorted() }

    /// Compiles every rule into one automaton.
    public func compile() -> PatternAutomaton {
        var compiler = AutomatonCompiler()
        let ids = rules.keys.sorted()
        var multiBranch: [Bool] = []
        multiBranch.reserveCapacity(ids.count)
        for (dense, id) in ids.enumerated() {
            let branches = rules[id]!.branches
            multiBranch.append(branches.count > 1)
            for branch in branches {
                compiler.insert(branch, rule: Int32(dense))
            }
        }
        return compiler.freeze(ruleIDs: ids, multiBranch: multiBranch)
    }
}
