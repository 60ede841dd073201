import JunctionJSON
import JunctionWire

/// An event as routing sees it: the decoded envelope plus the values the
/// gateway stamped (account, id and bus as stored).
struct RoutedEvent {
    var view: EventView
    var account: UnsafeRawBufferPointer
    var id: UnsafeRawBufferPointer
    var bus: UnsafeRawBufferPointer
}

/// A subscription's pattern, parsed once when the stream opens.
struct SubscriptionPattern: Sendable {
    /// The pattern text as the subscriber sent it ("" matches everything).
    let text: String
    /// Envelope field → accepted values.
    let exact: [(field: EnvelopeField, values: [[UInt8]])]

    enum EnvelopeField: String, Sendable, CaseIterable {
        case source
        case detailType = "detail-type"
        case account
        case id
        case subject
        case bus = "event-bus-name"
    }

    /// Parses an EventBridge pattern restricted to exact string values on
    /// envelope fields (the interim matcher; see BusMatcher).
    init(text: String) throws(WireError) {
        self.text = text
        guard !text.isEmpty else {
            exact = []
            return
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text, options: { var o = JSONParseOptions(); o.rejectDuplicateKeys = true; return o }())
        } catch {
            throw WireError(.invalidPattern, "pattern is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw WireError(.invalidPattern, "pattern must be a JSON object")
        }
        var exact: [(EnvelopeField, [[UInt8]])] = []
        for member in object.members {
            guard let field = EnvelopeField(rawValue: member.key) else {
                throw WireError(.invalidPattern, "\(member.key): matching on this field is not supported by this gateway version")
            }
            guard case .array(let items) = member.value, !items.isEmpty else {
                throw WireError(.invalidPattern, "\(member.key): must be a non-empty array of values")
            }
            var values: [[UInt8]] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    throw WireError(.invalidPattern, "\(member.key)[\(i)]: only exact string values are supported by this gateway version")
                }
                values.append(Array(s.utf8))
            }
            exact.append((field, values))
        }
        self.exact = exact
    }

    func matches(_ event: RoutedEvent) -> Bool {
        for (field, values) in exact {
            let actual: UnsafeRawBufferPointer
            switch field {
            case .source: actual = event.view.source
            case .detailType: actual = event.view.detailType
            case .account: actual = event.account
            case .id: actual = event.id
            case .subject: actual = event.view.subject
            case .bus: actual = event.bus
            }
            var any = false
            for v in values where v.withUnsafeBytes({ $0.equals(actual) }) {
                any = true
                break
            }
            if !any { return false }
        }
        return true
    }
}

/// Matches an event against every subscription pattern of a bus.
struct BusMatcher: Sendable {
    private let patterns: [SubscriptionPattern]

    init(patterns: [SubscriptionPattern]) throws(WireError) {
        self.patterns = patterns
    }

    /// Calls `body` with the index of each pattern that matches.
    @inline(__always)
    func match(_ event: RoutedEvent, _ body: (Int) -> Void) {
        for (i, p) in patterns.enumerated() where p.matches(event) { body(i) }
    }
}
