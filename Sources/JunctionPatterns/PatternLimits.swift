/// Limits applied when a pattern is parsed. Every default is at least as generous as Amazon
/// EventBridge's (whose event patterns may be at most 2,048 characters, 4,096 on request).
public struct PatternLimits: Sendable, Equatable {
    /// The longest pattern text accepted, in bytes.
    public var maxPatternBytes: Int = 64 << 10
    /// The deepest nesting of objects (and `$or` branches) in a pattern.
    public var maxDepth: Int = 32
    /// The most field conditions (leaf paths) in one pattern, counted over all `$or` branches.
    public var maxFields: Int = 512
    /// The most values or operators in one field's list.
    public var maxValuesPerField: Int = 1_024
    /// The most alternative conjunctions a pattern expands into (`$or` branches multiply, and a
    /// field list mixing `{"exists": false}` with values counts twice).
    public var maxCombinations: Int = 4_096
    /// The longest string value in a pattern, in bytes.
    public var maxValueBytes: Int = 4_096
    /// The most `*` in one wildcard or shellstyle value (each adds backtracking work when matching).
    public var maxWildcardStars: Int = 32
    /// The most nodes in one compiled regular expression (after expanding `{n,m}` repetitions).
    public var maxRegexpNodes: Int = 4_096

    public init() {}
}
