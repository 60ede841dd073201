@testable import JunctionPatterns
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The event number reader against the C library's correctly rounded `strtod`.
@Suite("Number parsing")
struct NumberParsingTests {
    static func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBytes { NumberParsing.parse($0) }
    }

    @Test func agreesWithStrtodOnRandomDecimals() {
        var generator = PropertyTests.Generator(state: 1234)
        for _ in 0..<200_000 {
            let integerDigits = 1 + generator.below(6)
            let fractionDigits = generator.below(18)
            var text = generator.chance(30) ? "-" : ""
            text += String(1 + generator.below(9))
            for _ in 1..<integerDigits { text += String(generator.below(10)) }
            if fractionDigits > 0 {
                text += "."
                for _ in 0..<fractionDigits { text += String(generator.below(10)) }
            }
            let expected = strtod(text, nil)
            #expect(Self.parse(text)?.bitPattern == expected.bitPattern, "\(text)")
            if Self.parse(text)?.bitPattern != expected.bitPattern { return }
        }
    }

    @Test func spellingsAndEdges() {
        #expect(Self.parse("35") == 35)
        #expect(Self.parse("3.5e1") == 35)
        #expect(Self.parse("-0") == 0)
        #expect(Self.parse("1e400") == .infinity)
        #expect(Self.parse("-122.4788599053867") == strtod("-122.4788599053867", nil))
        #expect(Self.parse("9007199254740993") == strtod("9007199254740993", nil))
        #expect(Self.parse("12345678901234567890123") == strtod("12345678901234567890123", nil))
        #expect(Self.parse("0.30000000000000004441") == strtod("0.30000000000000004441", nil))
        #expect(Self.parse("") == nil)
        #expect(Self.parse("-") == nil)
        #expect(Self.parse("1.5x") == nil)
    }
}
