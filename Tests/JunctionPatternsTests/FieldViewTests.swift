@testable import JunctionPatterns
import Testing

/// The field-view interface the gateway uses: envelope fields fed as bytes, `detail` as JSON or as
/// structured calls (the protobuf walker's route), with the same answers as whole-JSON events.
@Suite("Field view")
struct FieldViewTests {
    static func automaton(_ patterns: [String]) throws -> PatternAutomaton {
        var rules = PatternRuleSet()
        for (index, text) in patterns.enumerated() { rules.add(PatternRuleID(100 + index), try EventPattern(parsing: text)) }
        return rules.compile()
    }

    static let rules = [
        #"{"source":["orders"],"detail":{"amount":[{"numeric":[">",100]}]}}"#,          // 100
        #"{"detail-type":[{"prefix":"Order"}],"resources":["arn:a"]}"#,                  // 101
        #"{"detail":{"items":{"sku":["x"],"qty":[2]}}}"#,                                 // 102
        #"{"account":[{"anything-but":"123"}],"detail":{"flag":[true]}}"#,              // 103
        #"{"region":[{"exists":false}],"source":["orders"]}"#,                           // 104
    ]

    @Test func envelopeBytesPlusJSONDetail() throws {
        let automaton = try Self.automaton(Self.rules)
        let context = PatternMatchContext()
        let detail = Array(#"{"amount":150.5,"items":[{"sku":"x","qty":1},{"sku":"y","qty":2}],"flag":true}"#.utf8)
        let source = Array("orders".utf8)
        let detailType = Array("OrderPlaced".utf8)
        let account = Array("999".utf8)
        let resources = [Array("arn:b".utf8), Array("arn:a".utf8)]
        context.begin(automaton)
        source.withUnsafeBytes { context.addValue(key: "source", type: .string, bytes: $0) }
        detailType.withUnsafeBytes { context.addValue(key: "detail-type", type: .string, bytes: $0) }
        account.withUnsafeBytes { context.addValue(key: "account", type: .string, bytes: $0) }
        context.enterArray(key: "resources")
        resources[0].withUnsafeBytes { context.addElement(type: .string, bytes: $0) }
        resources[1].withUnsafeBytes { context.addElement(type: .string, bytes: $0) }
        context.leaveArray()
        try detail.withUnsafeBytes { try context.addJSON(key: "detail", $0) }
        context.finish()
        // 102 fails: sku x and qty 2 are in different elements.
        #expect(context.matchedRuleIDs == [100, 101, 103, 104])
        #expect(context.matchCount == 4)
        let viaBuffer = context.withMatchedRuleIDs { Set($0) }
        #expect(viaBuffer == [100, 101, 103, 104])
    }

    @Test func structuredDetailMatchesLikeJSON() throws {
        let automaton = try Self.automaton(Self.rules)
        let context = PatternMatchContext()
        let keys = ["detail", "items", "sku", "qty", "amount", "flag", "source"].map { Array($0.utf8) }
        let values = ["x", "2", "150.5", "orders", "y", "1"].map { Array($0.utf8) }
        func with<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R { bytes.withUnsafeBytes(body) }
        context.begin(automaton)
        with(keys[6]) { key in with(values[3]) { context.addValue(key: key, type: .string, bytes: $0) } }
        let enteredDetail = with(keys[0]) { context.enterObject(key: $0) }
        #expect(enteredDetail)
        with(keys[4]) { key in with(values[2]) { context.addValue(key: key, type: .number, bytes: $0) } }
        with(keys[5]) { key in context.addValue(key: key, type: .true, bytes: UnsafeRawBufferPointer(start: nil, count: 0)) }
        let enteredItems = with(keys[1]) { context.enterArray(key: $0) }
        #expect(enteredItems)
        context.enterElementObject()
        with(keys[2]) { key in with(values[4]) { context.addValue(key: key, type: .string, bytes: $0) } }
        with(keys[3]) { key in with(values[5]) { context.addValue(key: key, type: .number, bytes: $0) } }
        context.leaveObject()
        context.enterElementObject()
        with(keys[2]) { key in with(values[0]) { context.addValue(key: key, type: .string, bytes: $0) } }
        with(keys[3]) { key in with(values[1]) { context.addValue(key: key, type: .number, bytes: $0) } }
        context.leaveObject()
        context.leaveArray()
        context.leaveObject()
        context.finish()
        // Same element now holds sku x and qty 2: 102 matches; no account so 103 fails.
        #expect(context.matchedRuleIDs == [100, 102, 104])
    }

    @Test func unwantedSubtreesReportFalse() throws {
        let automaton = try Self.automaton(Self.rules)
        let context = PatternMatchContext()
        context.begin(automaton)
        #expect(!context.enterObject(key: "nothing"))
        context.addString(key: "source", "ignored inside an unwanted object")
        context.leaveObject()
        #expect(context.enterObject(key: "detail"))
        context.leaveObject()
        context.addString(key: "source", "orders")
        context.finish()
        #expect(context.matchedRuleIDs == [104])
    }

    @Test func contextIsReusableAcrossEventsAndAutomata() throws {
        let first = try Self.automaton([#"{"a":["x"]}"#])
        let second = try Self.automaton([#"{"b":["y"]}"#, #"{"a":["x"]}"#])
        let context = PatternMatchContext()
        for round in 0..<100 {
            let automaton = round % 2 == 0 ? first : second
            let event = Array((round % 3 == 0 ? #"{"a":"x","b":"y"}"# : #"{"a":"z"}"#).utf8)
            context.begin(automaton)
            try event.withUnsafeBytes { try context.addJSONEvent($0) }
            context.finish()
            let expected: [PatternRuleID] = round % 3 != 0 ? [] : (round % 2 == 0 ? [100] : [100, 101])
            #expect(context.matchedRuleIDs == expected)
        }
    }

    /// The ids handed to `withMatchedRuleIDs` stay as they were while its body matches other events
    /// with the same context (the buffer is lent, not copied), nested or not, many matches or none.
    @Test func matchedIDsBufferSurvivesReentrantMatching() throws {
        let many = (0..<200).map { #"{"a":["x"],"n":[{"numeric":[">",\#($0)]}]}"# }
        let automaton = try Self.automaton(many + [#"{"b":["y"]}"#])
        let context = PatternMatchContext()
        func match(_ json: String) throws {
            context.begin(automaton)
            try Array(json.utf8).withUnsafeBytes { try context.addJSONEvent($0) }
            context.finish()
        }
        let all = (0..<200).map { PatternRuleID(100 + $0) }
        try match(#"{"b":"y"}"#)
        try context.withMatchedRuleIDs { outer in
            #expect(Array(outer) == [300])
            // The same buffer lent twice, then a new event (many matches: the buffer grows).
            try context.withMatchedRuleIDs { inner in
                #expect(Array(inner) == [300])
                try match(#"{"a":"x","n":1000}"#)
                #expect(Array(inner) == [300])
                #expect(Array(outer) == [300])
            }
            #expect(context.matchedRuleIDs == all)
            try context.withMatchedRuleIDs { inner in
                #expect(inner.sorted() == all)
                try match(#"{"a":"z"}"#)
                context.begin(automaton)
                context.addString(key: "b", "y") // copied into the context: valid for a second finish
                context.finish()
                #expect(context.matchedRuleIDs == [300])
                #expect(inner.sorted() == all)
                // As before: finish again without begin matches the same fields again (here, once more).
                context.finish()
                #expect(context.matchedRuleIDs == [300, 300])
                #expect(inner.sorted() == all)
            }
            #expect(Array(outer) == [300])
            try match(#"{"c":1}"#)
            #expect(Array(outer) == [300])
        }
        #expect(context.matchCount == 0)
        try match(#"{"a":"x","n":150}"#)
        #expect(context.matchedRuleIDs == Array(all.prefix(150)))
        // Not lent any more: the next event reuses the buffer.
        try match(#"{"b":"y"}"#)
        #expect(context.withMatchedRuleIDs { Array($0) } == [300])
    }

    @Test func malformedJSONIsReportedWithOffset() throws {
        let automaton = try Self.automaton([#"{"a":["x"]}"#])
        #expect(throws: PatternEventError(offset: 5, message: "expected a value")) {
            try automaton.matchingRules(json: Array(#"{"a":}"#.utf8))
        }
        #expect(throws: PatternEventError.self) { try automaton.matchingRules(json: Array(#"{"b":[1,2"#.utf8)) }
        #expect(throws: PatternEventError.self) { try automaton.matchingRules(json: Array(#"{"a":"x"} x"#.utf8)) }
    }

    @Test func skippingHandlesLongAndEscapedContent() throws {
        let automaton = try Self.automaton([#"{"k":["v"]}"#])
        // Long skipped values exercise the word-at-a-time skipper, with escapes and brackets in strings
        // at every alignment.
        for padding in 0..<24 {
            let filler = String(repeating: "x", count: padding)
            let event = #"{"skip":[{"s":"\#(filler)\\\"]}{[\\\\","n":[1,2,[3,{"q":"]"}]]},"\#(filler)}"],"k":"v"}"#
            #expect(try automaton.matchingRules(json: Array(event.utf8)) == [100], "\(event)")
        }
    }
}
