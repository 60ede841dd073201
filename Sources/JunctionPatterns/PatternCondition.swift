/// One condition of a pattern branch: the field at `path` must have a value passing one of the
/// matchers, or (for `absent`) must have no value.
struct PatternCondition: Hashable, Sendable {
    enum Test: Hashable, Sendable {
        /// Some value at the path passes at least one matcher.
        case anyOf([ValueMatcher])
        /// No value at the path (`{"exists": false}`).
        case absent
    }

    /// The dotted field path, for example `detail.amount`.
    var path: String
    var test: Test

    /// A canonical text of the test, identical for conditions that accept the same values.
    var canonicalTest: String {
        switch test {
        case .absent: return "!"
        case .anyOf(let matchers): return Set(matchers.map(\.canonical)).sorted().joined(separator: "\u{1}")
        }
    }
}
