/// The negated tests of `anything-but`. A value matches when the inner test fails for it.
enum AnythingBut: Hashable, Sendable {
    /// `{"anything-but": v}` or `{"anything-but": [v, ...]}`: exact keys (strings or numbers).
    case values([[UInt8]])
    /// `{"anything-but": {"prefix": p}}` (also a list).
    case prefix([[UInt8]])
    /// `{"anything-but": {"suffix": s}}` (also a list).
    case suffix([[UInt8]])
    /// `{"anything-but": {"equals-ignore-case": s}}` (also a list); folded keys.
    case equalsIgnoreCase([[UInt8]])
    /// `{"anything-but": {"wildcard": w}}` (also a list).
    case wildcard([WildcardPattern])

    /// Whether `value` matches, that is, is not excluded.
    ///
    /// The exclusion list of plain values applies to every value type (a number is never equal to a
    /// string, so `{"anything-but": "x"}` matches `5`); the string forms (prefix, suffix,
    /// equals-ignore-case, wildcard) match only strings.
    func matches(_ value: FieldValue, exactKey: (FieldValue) -> [UInt8]) -> Bool {
        switch self {
        case .values(let keys):
            let key = exactKey(value)
            return !keys.contains(key)
        case .prefix(let prefixes):
            guard value.type == .string else { return false }
            return !prefixes.contains { ByteOps.hasPrefix(value.bytes, $0) }
        case .suffix(let suffixes):
            guard value.type == .string else { return false }
            return !suffixes.contains { ByteOps.hasSuffix(value.bytes, $0) }
        case .equalsIgnoreCase(let folded):
            guard value.type == .string else { return false }
            let key = CaseFolding.fold(value.bytes)
            return !folded.contains(key)
        case .wildcard(let patterns):
            guard value.type == .string else { return false }
            return !patterns.contains { $0.matches(value.bytes) }
        }
    }

    var canonical: String {
        switch self {
        case .values(let keys): return "ab=" + keys.map(ExactKey.describe).sorted().joined(separator: ",")
        case .prefix(let values): return "ab^" + values.map { String(decoding: $0, as: UTF8.self) }.sorted().joined(separator: "\u{0}")
        case .suffix(let values): return "ab$" + values.map { String(decoding: $0, as: UTF8.self) }.sorted().joined(separator: "\u{0}")
        case .equalsIgnoreCase(let values): return "ab~" + values.map { String(decoding: $0, as: UTF8.self) }.sorted().joined(separator: "\u{0}")
        case .wildcard(let patterns): return "ab*" + patterns.map(\.source).sorted().joined(separator: "\u{0}")
        }
    }
}
