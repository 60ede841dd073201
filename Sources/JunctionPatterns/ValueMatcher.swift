/// One test on a single event value, as written in a field's list in a pattern.
enum ValueMatcher: Hashable, Sendable {
    /// An exact value: string, number (by value), `true`, `false` or `null` (see ``ExactKey``).
    case exact([UInt8])
    case prefix([UInt8])
    /// Folded prefix.
    case prefixIgnoreCase([UInt8])
    case suffix([UInt8])
    /// Folded suffix.
    case suffixIgnoreCase([UInt8])
    /// Folded value.
    case equalsIgnoreCase([UInt8])
    case wildcard(WildcardPattern)
    case numeric(NumericRange)
    case cidr(IPNetwork)
    /// `{"exists": true}`: any value.
    case exists
    case anythingBut(AnythingBut)
    case regexp(IRegexp)

    /// Whether `value` passes this test. This is the direct evaluation, used by the automaton for the
    /// operators it does not index and by the reference checks.
    func matches(_ value: FieldValue) -> Bool {
        switch self {
        case .exact(let key):
            return ValueMatcher.exactKey(value) == key
        case .prefix(let prefix):
            return value.type == .string && ByteOps.hasPrefix(value.bytes, prefix)
        case .prefixIgnoreCase(let prefix):
            guard value.type == .string else { return false }
            return CaseFolding.fold(value.bytes).starts(with: prefix)
        case .suffix(let suffix):
            return value.type == .string && ByteOps.hasSuffix(value.bytes, suffix)
        case .suffixIgnoreCase(let suffix):
            guard value.type == .string else { return false }
            let folded = CaseFolding.fold(value.bytes)
            return folded.count >= suffix.count && folded[(folded.count - suffix.count)...].elementsEqual(suffix)
        case .equalsIgnoreCase(let folded):
            return value.type == .string && CaseFolding.fold(value.bytes) == folded
        case .wildcard(let pattern):
            return value.type == .string && pattern.matches(value.bytes)
        case .numeric(let range):
            return value.type == .number && range.contains(value.number)
        case .cidr(let network):
            return value.type == .string && network.contains(value.bytes)
        case .exists:
            return true
        case .anythingBut(let negation):
            return negation.matches(value)
        case .regexp(let expression):
            return value.type == .string && expression.matches(value.bytes)
        }
    }

    /// The exact key of an event value.
    static func exactKey(_ value: FieldValue) -> [UInt8] {
        switch value.type {
        case .string: return ExactKey.string(value.bytes)
        case .number: return ExactKey.number(value.number)
        default: return ExactKey.literal(value.type)
        }
    }

    /// A canonical text for this matcher, used to recognise identical conditions across rules.
    var canonical: String {
        switch self {
        case .exact(let key): return "=" + ExactKey.describe(key)
        case .prefix(let bytes): return "^" + String(decoding: bytes, as: UTF8.self)
        case .prefixIgnoreCase(let bytes): return "^~" + String(decoding: bytes, as: UTF8.self)
        case .suffix(let bytes): return "$" + String(decoding: bytes, as: UTF8.self)
        case .suffixIgnoreCase(let bytes): return "$~" + String(decoding: bytes, as: UTF8.self)
        case .equalsIgnoreCase(let bytes): return "~" + String(decoding: bytes, as: UTF8.self)
        case .wildcard(let pattern): return "*" + pattern.pieces.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\u{0}")
        case .numeric(let range): return "#" + range.description
        case .cidr(let network): return "ip" + network.description
        case .exists: return "?"
        case .anythingBut(let negation): return negation.canonical
        case .regexp(let expression): return "re" + expression.source
        }
    }
}
