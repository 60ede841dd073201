import JunctionPatterns
import JunctionWire

/// An event as routing sees it: the decoded envelope plus the values the
/// gateway stamped (account, id and time as stored).
struct RoutedEvent {
    var view: EventView
    var account: UnsafeRawBufferPointer
    var id: UnsafeRawBufferPointer
    var timeUnixNanos: Int64
    /// The worker's schema cache, for feeding protobuf details by field.
    var schemas: EventValidator?
}

/// A subscription's EventBridge pattern, parsed once when the stream opens.
struct SubscriptionPattern: Sendable {
    /// The pattern text as the subscriber sent it ("" matches every event).
    let text: String
    /// nil for the empty pattern.
    let pattern: EventPattern?

    init(text: String, limits: PatternLimits = .init()) throws(WireError) {
        self.text = text
        guard !text.isEmpty else {
            pattern = nil
            return
        }
        do {
            pattern = try EventPattern(parsing: text, limits: limits)
        } catch {
            throw WireError(.invalidPattern, "pattern: \(error)")
        }
    }
}

/// Matches events against every subscription pattern of a bus with one
/// automaton (JunctionPatterns), so the cost grows with the event, not with
/// the number of subscriptions.
///
/// Fields the patterns see: `id`, `source`, `detail-type`, `account`, `time`
/// (RFC 3339, UTC, milliseconds), `subject`, `resources` (an array) and
/// `detail` (the JSON detail of events whose content type is JSON or
/// unspecified; for content type PROTOBUF, the fields of the detail by
/// their JSON names when the event's schema reference names a protobuf
/// schema the gateway knows, see ``ProtoPatternFeeder``). A detail that does
/// not parse is matched as if it were absent (rules on envelope fields still
/// apply).
struct BusMatcher: Sendable {
    private let automaton: PatternAutomaton
    /// Streams with an empty pattern: they get every event of the bus.
    private let matchAll: [Int]
    /// The envelope fields some rule mentions; the others are not fed at all.
    private let fields: MentionedFields

    struct MentionedFields: OptionSet {
        let rawValue: UInt16
        static let id = MentionedFields(rawValue: 1 << 0)
        static let source = MentionedFields(rawValue: 1 << 1)
        static let detailType = MentionedFields(rawValue: 1 << 2)
        static let account = MentionedFields(rawValue: 1 << 3)
        static let subject = MentionedFields(rawValue: 1 << 4)
        static let time = MentionedFields(rawValue: 1 << 5)
        static let resources = MentionedFields(rawValue: 1 << 6)
        static let detail = MentionedFields(rawValue: 1 << 7)

        init(rawValue: UInt16) { self.rawValue = rawValue }

        init(paths: [String]) {
            var set: MentionedFields = []
            for path in paths {
                let top = path.split(separator: ".", maxSplits: 1).first.map(String.init) ?? path
                switch top {
                case "id": set.insert(.id)
                case "source": set.insert(.source)
                case "detail-type": set.insert(.detailType)
                case "account": set.insert(.account)
                case "subject": set.insert(.subject)
                case "time": set.insert(.time)
                case "resources": set.insert(.resources)
                case "detail": set.insert(.detail)
                default: break
                }
            }
            self = set
        }
    }

    init(patterns: [SubscriptionPattern]) {
        var rules = PatternRuleSet()
        var all: [Int] = []
        for (i, p) in patterns.enumerated() {
            if let pattern = p.pattern { rules.add(PatternRuleID(i), pattern) } else { all.append(i) }
        }
        automaton = rules.compile()
        matchAll = all
        fields = MentionedFields(paths: automaton.fieldPaths)
    }

    /// Calls `body` once with the index of each pattern that matches.
    @inline(__always)
    func match(_ event: RoutedEvent, context: PatternMatchContext, _ body: (Int) -> Void) {
        for i in matchAll { body(i) }
        guard automaton.ruleCount > 0 else { return }
        feed(event, context: context, withDetail: true)
        context.withMatchedRuleIDs { ids in
            for id in ids { body(Int(id)) }
        }
    }

    private func feed(_ event: RoutedEvent, context: PatternMatchContext, withDetail: Bool) {
        context.begin(automaton)
        let v = event.view
        if fields.contains(.id) { context.addValue(key: "id", type: .string, bytes: event.id) }
        if fields.contains(.source) { context.addValue(key: "source", type: .string, bytes: v.source) }
        if fields.contains(.detailType) { context.addValue(key: "detail-type", type: .string, bytes: v.detailType) }
        if fields.contains(.account) { context.addValue(key: "account", type: .string, bytes: event.account) }
        if fields.contains(.subject), v.subject.count > 0 { context.addValue(key: "subject", type: .string, bytes: v.subject) }
        if fields.contains(.time) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
                let n = RFC3339.write(nanos: event.timeUnixNanos, into: buffer)
                context.addValue(key: "time", type: .string, bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[..<n]))
            }
        }
        if fields.contains(.resources), v.resourceCount > 0 {
            // enterArray and leaveArray always pair.
            if context.enterArray(key: "resources") {
                for i in 0..<v.resourceCount { context.addElement(type: .string, bytes: v.resource(i)) }
            }
            context.leaveArray()
        }
        let type = v.contentType
        if withDetail, fields.contains(.detail), type == .json || type == .unspecified, v.detail.count > 0 {
            do {
                try context.addJSON(key: "detail", v.detail)
            } catch {
                // Not JSON: match on the envelope alone.
                return feed(event, context: context, withDetail: false)
            }
        } else if withDetail, fields.contains(.detail), type == .protobuf, let schemas = event.schemas,
                  let schema = schemas.protobufSchema(for: v) {
            guard schemas.patternFeeder.feed(detail: v.detail, schema: schema, context: context) else {
                // Does not conform to its schema: match on the envelope alone.
                return feed(event, context: context, withDetail: false)
            }
        }
        context.finish()
    }
}

/// Formats times the way EventBridge writes them: "2026-11-26T15:47:21.123Z".
enum RFC3339 {
    /// Writes 24 bytes into `buffer` and returns 24.
    static func write(nanos: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let millis = nanos / 1_000_000
        var days = millis / 86_400_000
        var rest = millis % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func put(_ value: Int64, _ digits: Int, at offset: Int) {
            var v = value
            for i in stride(from: offset + digits - 1, through: offset, by: -1) {
                buffer[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(year, 4, at: 0)
        buffer[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        buffer[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        buffer[10] = UInt8(ascii: "T")
        put(rest / 3_600_000, 2, at: 11)
        buffer[13] = UInt8(ascii: ":")
        put(rest / 60_000 % 60, 2, at: 14)
        buffer[16] = UInt8(ascii: ":")
        put(rest / 1000 % 60, 2, at: 17)
        buffer[19] = UInt8(ascii: ".")
        put(rest % 1000, 3, at: 20)
        buffer[23] = UInt8(ascii: "Z")
        return 24
    }
}
