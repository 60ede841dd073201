import JunctionTestSupport
import JunctionJSON
@testable import JunctionPatterns
import Testing

/// The automaton (many random rules compiled together) against ``ReferenceInterpreter`` (one rule at a
/// time, brute force), on random events. Deterministic seed, bounded count.
@Suite("Automaton vs reference interpreter")
struct PropertyTests {
    struct Generator {
        var random: SplitMix64
        init(state: UInt64) { random = SplitMix64(seed: state) }
        mutating func below(_ n: Int) -> Int { random.below(n) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    static let strings = ["", "a", "ab", "abc", "AbC", "b", "ba", "cab", "xyz", "é"]
    static let numbers = ["0", "1", "1.0", "2.5", "-3", "1e2", "100", "7"]
    static let keys = ["a", "b", "c"]

    static func scalar(_ g: inout Generator) -> String {
        switch g.below(10) {
        case 0..<5: return "\"" + g.pick(strings) + "\""
        case 5..<8: return g.pick(numbers)
        case 8: return g.pick(["true", "false"])
        default: return "null"
        }
    }

    static func eventValue(_ g: inout Generator, depth: Int) -> String {
        let roll = g.below(10)
        if depth < 3, roll < 3 { return eventObject(&g, depth: depth + 1) }
        if depth < 3, roll < 5 {
            let count = g.below(4)
            return "[" + (0..<count).map { _ in eventValue(&g, depth: depth + 1) }.joined(separator: ",") + "]"
        }
        return scalar(&g)
    }

    static func eventObject(_ g: inout Generator, depth: Int) -> String {
        let keys = Self.keys.filter { _ in g.chance(60) }
        return "{" + keys.map { "\"\($0)\":" + eventValue(&g, depth: depth) }.joined(separator: ",") + "}"
    }

    static func entry(_ g: inout Generator) -> String {
        switch g.below(14) {
        case 0, 1, 2: return scalar(&g)
        case 3: return #"{"prefix":""# + g.pick(strings) + #""}"#
        case 4: return #"{"suffix":""# + g.pick(strings) + #""}"#
        case 5: return #"{"equals-ignore-case":""# + g.pick(strings) + #""}"#
        case 6: return #"{"prefix":{"equals-ignore-case":""# + g.pick(strings) + #""}}"#
        case 7: return #"{"suffix":{"equals-ignore-case":""# + g.pick(strings) + #""}}"#
        case 8: return #"{"numeric":[">",\#(g.pick(numbers)),"<=",\#(g.pick(["5", "100", "1e3"]))]}"#
        case 9: return #"{"numeric":["<",\#(g.pick(numbers))]}"#
        case 10: return #"{"exists":\#(g.chance(70))}"#
        case 11: return #"{"anything-but":[""# + g.pick(strings) + #"",""# + g.pick(strings) + #""]}"#
        case 12: return #"{"anything-but":\#(g.pick(numbers))}"#
        default: return #"{"wildcard":""# + g.pick(["*", "a*", "*b", "a*c", "*b*", "ab"]) + #""}"#
        }
    }

    static func patternObject(_ g: inout Generator, depth: Int) -> String {
        var members: [String] = []
        for key in keys where g.chance(45) {
            if depth < 2, g.chance(30) {
                members.append("\"\(key)\":" + patternObject(&g, depth: depth + 1))
            } else {
                let count = 1 + g.below(3)
                members.append("\"\(key)\":[" + (0..<count).map { _ in entry(&g) }.joined(separator: ",") + "]")
            }
        }
        if depth < 2, g.chance(15) {
            members.append(#""$or":["# + patternObject(&g, depth: depth + 1) + "," + patternObject(&g, depth: depth + 1) + "]")
        }
        if members.isEmpty {
            members.append("\"\(g.pick(keys))\":[" + entry(&g) + "]")
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    @Test func automatonAgreesWithReference() throws {
        var g = Generator(state: 0x5EED_2026)
        var checked = 0
        var positives = 0
        for _ in 0..<20 {
            // One automaton holding 25 random rules.
            var texts: [String] = []
            var rules = PatternRuleSet()
            while texts.count < 25 {
                let text = Self.patternObject(&g, depth: 0)
                guard let pattern = try? EventPattern(parsing: text) else { continue }
                rules.add(PatternRuleID(texts.count), pattern)
                texts.append(text)
            }
            let automaton = rules.compile()
            let parsedPatterns = try texts.map { try JSONParser.parse($0) }
            let context = PatternMatchContext()
            for _ in 0..<40 {
                let eventText = Self.eventObject(&g, depth: 0)
                let event = try JSONParser.parse(eventText)
                context.begin(automaton)
                // The event bytes must stay valid until finish().
                try Array(eventText.utf8).withUnsafeBytes { bytes in
                    try context.addJSONEvent(bytes)
                    context.finish()
                }
                let actual = Set(context.matchedRuleIDs)
                for (index, pattern) in parsedPatterns.enumerated() {
                    let expected = ReferenceInterpreter.matches(pattern: pattern, event: event)
                    #expect(actual.contains(PatternRuleID(index)) == expected, "pattern \(texts[index]) event \(eventText)")
                    checked += 1
                    if expected { positives += 1 }
                }
            }
        }
        #expect(checked == 20 * 25 * 40)
        // The generator must exercise both outcomes.
        #expect(positives > checked / 50)
        #expect(positives < checked - checked / 50)
    }
}
