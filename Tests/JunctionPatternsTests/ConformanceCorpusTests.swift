import JunctionJSON
@testable import JunctionPatterns
import Testing

/// Runs the shared conformance corpus (`../shared/conformance/patterns/corpus.jsonl`): every case is a
/// pattern, an event and the answer both reference engines (or the one that supports the operator)
/// gave. Skips cleanly when the shared folder is absent.
@Suite("Conformance corpus")
struct ConformanceCorpusTests {
    struct Outcome {
        var passed = 0
        var failed: [String] = []
        var skipped = 0
    }

    static func run(file: String) -> Outcome? {
        let path = TestSupport.sharedFolder() + "/conformance/patterns/" + file
        guard let lines = TestSupport.readLines(path) else { return nil }
        var outcome = Outcome()
        for (number, line) in lines.enumerated() where !line.isEmpty {
            guard let case_ = try? JSONParser.parse(line),
                  let patternText = case_["pattern_text"]?.stringValue,
                  let eventText = case_["event_text"]?.stringValue,
                  let expected = case_["match"]?.boolValue ?? (case_["expected_by_source_test"]?.boolValue) else {
                outcome.failed.append("line \(number + 1): unreadable case")
                continue
            }
            do {
                let actual = try TestSupport.matches(patternText, eventText)
                if actual == expected {
                    outcome.passed += 1
                } else {
                    outcome.failed.append("line \(number + 1): expected \(expected), got \(actual): \(patternText) / \(eventText.prefix(300))")
                }
            } catch let error as PatternError where error.message.hasPrefix("unknown operator") {
                outcome.skipped += 1
            } catch {
                outcome.failed.append("line \(number + 1): \(error): \(patternText)")
            }
        }
        return outcome
    }

    @Test func corpus() throws {
        guard let outcome = Self.run(file: "corpus.jsonl") else {
            print("conformance corpus: skipped (no ../shared/conformance/patterns/corpus.jsonl)")
            return
        }
        print("conformance corpus: \(outcome.passed) passed, \(outcome.failed.count) failed, \(outcome.skipped) skipped")
        for failure in outcome.failed.prefix(40) { print("  " + failure) }
        #expect(outcome.failed.isEmpty)
        #expect(outcome.passed > 4_000)
    }

    /// The cases where the reference engines disagree: the expected answers are event-ruler's
    /// (EventBridge's engine); docs/patterns.md explains each choice.
    @Test func disagreements() throws {
        guard let outcome = Self.run(file: "disagreements.jsonl") else { return }
        print("disagreements: \(outcome.passed) passed, \(outcome.failed.count) failed, \(outcome.skipped) skipped")
        for failure in outcome.failed { print("  " + failure) }
        #expect(outcome.failed.isEmpty)
    }
}
