@testable import JunctionPatterns
import Testing

@Suite("Rule sets and the concurrent matcher")
struct PatternMatcherTests {
    @Test func addReplaceRemove() throws {
        var rules = PatternRuleSet()
        rules.add(1, try EventPattern(parsing: #"{"a":["x"]}"#))
        rules.add(2, try EventPattern(parsing: #"{"a":["y"]}"#))
        #expect(try rules.compile().matchingRules(json: Array(#"{"a":"x"}"#.utf8)) == [1])
        rules.add(1, try EventPattern(parsing: #"{"a":["y"]}"#))
        #expect(try rules.compile().matchingRules(json: Array(#"{"a":"y"}"#.utf8)) == [1, 2])
        let removed = rules.remove(2)
        let removedAgain = rules.remove(2)
        #expect(removed)
        #expect(!removedAgain)
        #expect(try rules.compile().matchingRules(json: Array(#"{"a":"y"}"#.utf8)) == [1])
        #expect(rules.count == 1)
        #expect(rules.ids == [1])
    }

    @Test func manyRulesShareOneAutomaton() throws {
        var rules = PatternRuleSet()
        for index in 0..<2_000 {
            rules.add(PatternRuleID(index), try EventPattern(parsing: #"{"detail":{"id":["id-\#(index)"],"kind":["order"]}}"#))
        }
        let automaton = rules.compile()
        // Shared "kind" states: one per id value, plus the start state and the paths.
        #expect(automaton.stateCount <= 2 * 2_000 + 2)
        #expect(try automaton.matchingRules(json: Array(#"{"detail":{"kind":"order","id":"id-1234"}}"#.utf8)) == [1234])
        #expect(try automaton.matchingRules(json: Array(#"{"detail":{"kind":"refund","id":"id-1234"}}"#.utf8)) == [])
    }

    @Test func readersSeeWholeSnapshotsWhileWritersSwap() async throws {
        guard #available(macOS 15.0, *) else { return }
        let matcher = PatternMatcher()
        let pattern = try EventPattern(parsing: #"{"a":["x"]}"#)
        let event = Array(#"{"a":"x"}"#.utf8)
        await withTaskGroup(of: Int.self) { group in
            group.addTask {
                for id in 1...200 { matcher.add(PatternRuleID(id), pattern) }
                return 0
            }
            for _ in 0..<2 {
                group.addTask {
                    let context = PatternMatchContext()
                    var lastCount = 0
                    for _ in 0..<2_000 {
                        let snapshot = matcher.snapshot
                        context.begin(snapshot)
                        event.withUnsafeBytes { bytes in
                            try? context.addJSONEvent(bytes)
                            context.finish()
                        }
                        // Every rule of a snapshot matches; snapshots only grow.
                        let count = context.matchCount
                        if count != snapshot.ruleCount || count < lastCount { return -1 }
                        lastCount = count
                    }
                    return lastCount
                }
            }
            for await result in group { #expect(result >= 0) }
        }
        #expect(matcher.snapshot.ruleCount == 200)
        #expect(matcher.remove(5))
        #expect(matcher.snapshot.ruleCount == 199)
        matcher.replaceAll(with: PatternRuleSet())
        #expect(matcher.snapshot.ruleCount == 0)
        #expect(matcher.rules.count == 0)
    }
}
