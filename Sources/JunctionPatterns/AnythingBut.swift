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
    func matches(_ value: FieldValue) -> Bool {
        switch self {
        case .values(let keys):
            for key in keys where AnythingBut.equal(key, value) { return false }
            return true
        case .prefix(let prefixes):
            guard value.type == .string else { return false }
            return !prefixes.contains { ByteOps.hasPrefix(value.bytes, $0) }
        case .suffix(let suffixes):
            guard value.type == .string else { return false }
            return !suffixes.contains { ByteOps.hasSuffix(value.bytes, $0) }
        case .equalsIgnoreCase(let folded):
            guard value.type == .string else { return false }
            if CaseFolding.isASCII(value.bytes) {
                // Compare folding on the fly, without building the folded value.
                return !folded.contains { key in
                    key.count == value.bytes.count && zip(key, value.bytes).allSatisfy { pair in
                        pair.0 == (pair.1 >= 0x41 && pair.1 <= 0x5A ? pair.1 | 0x20 : pair.1)
                    }
                }
            }
            return !folded.contains(CaseFolding.fold(value.bytes))
        case .wildcard(let patterns):
            guard value.type == .string else { return false }
            return !patterns.contains { $0.matches(value.bytes) }
        }
    }

    /// Whether an exact key equals an event value, without building the value's key.
    @inline(__always)
    static func equal(_ key: [UInt8], _ value: FieldValue) -> Bool {
        guard key.first == value.type.rawValue else { return false }
        switch value.type {
        case .string:
            return key.count - 1 == value.bytes.count && key.withUnsafeBytes { bytes in
                value.bytes.isEmpty || memcmpBytes(bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + 1, value.bytes.baseAddress!, value.bytes.count)
            }
        case .number:
            var bits: UInt64 = 0
            for index in 0..<8 { bits |= UInt64(key[1 + index]) << UInt64(8 * index) }
            return bits == ExactKey.normalizedBits(value.number)
        case .true, .false, .null:
            return true
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
