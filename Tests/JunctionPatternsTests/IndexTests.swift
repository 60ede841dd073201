@testable import JunctionPatterns
import Testing

/// The shared indexes (numeric segments, prefix/suffix length probes, cidr shapes) against direct
/// evaluation, with enough rules on one field to leave the small-set paths.
@Suite("Shared value indexes")
struct IndexTests {
    @Test func manyNumericRangesMatchLikeDirectComparison() throws {
        var generator = PropertyTests.Generator(state: 77)
        var rules = PatternRuleSet()
        var ranges: [(PatternRuleID, NumericRange)] = []
        let points: [Double] = [-1e300, -5, -1.5, 0, 0.1, 1, 2, 2.5, 3, 10, 1e9, 1e300]
        for id in 0..<60 {
            let a = generator.pick(points)
            let b = generator.pick(points)
            let (low, high) = (min(a, b), max(a, b))
            let lowOp = generator.chance(50) ? ">" : ">="
            let highOp = generator.chance(50) ? "<" : "<="
            let text: String
            var range = NumericRange()
            switch generator.below(4) {
            case 0:
                text = #"{"v":[{"numeric":["=",\#(low)]}]}"#
                range = NumericRange(lower: low, lowerInclusive: true, upper: low, upperInclusive: true)
            case 1:
                text = #"{"v":[{"numeric":["\#(lowOp)",\#(low)]}]}"#
                range.lower = low
                range.lowerInclusive = lowOp == ">="
            case 2:
                text = #"{"v":[{"numeric":["\#(highOp)",\#(high)]}]}"#
                range.upper = high
                range.upperInclusive = highOp == "<="
            default:
                guard low < high else { continue }
                text = #"{"v":[{"numeric":["\#(lowOp)",\#(low),"\#(highOp)",\#(high)]}]}"#
                range = NumericRange(lower: low, lowerInclusive: lowOp == ">=", upper: high, upperInclusive: highOp == "<=")
            }
            rules.add(PatternRuleID(id), try EventPattern(parsing: text))
            ranges.append((PatternRuleID(id), range))
        }
        let automaton = rules.compile()
        let probes = points + [-2, 0.05, 1.5, 2.25, 5, 1e10, -1e301]
        for value in probes {
            let expected = ranges.filter { $0.1.contains(value) }.map(\.0).sorted()
            let actual = try automaton.matchingRules(json: Array(#"{"v":\#(value)}"#.utf8))
            #expect(actual == expected, "value \(value)")
        }
    }

    @Test func manyAffixesAndNetworks() throws {
        var rules = PatternRuleSet()
        let words = ["a", "ab", "abc", "abcd", "b", "bc", "zz", "ABC"]
        var id: PatternRuleID = 0
        var expectations: [(PatternRuleID, (String) -> Bool)] = []
        for word in words {
            rules.add(id, try EventPattern(parsing: #"{"s":[{"prefix":"\#(word)"}]}"#))
            expectations.append((id, { $0.hasPrefix(word) }))
            id += 1
            rules.add(id, try EventPattern(parsing: #"{"s":[{"suffix":"\#(word)"}]}"#))
            expectations.append((id, { $0.hasSuffix(word) }))
            id += 1
            rules.add(id, try EventPattern(parsing: #"{"s":[{"prefix":{"equals-ignore-case":"\#(word)"}}]}"#))
            expectations.append((id, { $0.lowercased().hasPrefix(word.lowercased()) }))
            id += 1
            rules.add(id, try EventPattern(parsing: #"{"s":[{"suffix":{"equals-ignore-case":"\#(word)"}}]}"#))
            expectations.append((id, { $0.lowercased().hasSuffix(word.lowercased()) }))
            id += 1
        }
        let automaton = rules.compile()
        for value in ["", "a", "abcd", "xabc", "ABCD", "bc", "zzz", "Abc"] {
            let expected = expectations.filter { $0.1(value) }.map(\.0).sorted()
            #expect(try automaton.matchingRules(json: Array(#"{"s":"\#(value)"}"#.utf8)) == expected, "value \(value)")
        }

        var networks = PatternRuleSet()
        let cidrs = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "0.0.0.0/0", "2001:db8::/32", "2001:db8:1::/48", "::/0"]
        for (index, cidr) in cidrs.enumerated() {
            networks.add(PatternRuleID(index), try EventPattern(parsing: #"{"ip":[{"cidr":"\#(cidr)"}]}"#))
        }
        let networkAutomaton = networks.compile()
        #expect(try networkAutomaton.matchingRules(json: Array(#"{"ip":"10.1.2.3"}"#.utf8)) == [0, 1, 2, 3, 4])
        #expect(try networkAutomaton.matchingRules(json: Array(#"{"ip":"10.1.3.3"}"#.utf8)) == [0, 1, 4])
        #expect(try networkAutomaton.matchingRules(json: Array(#"{"ip":"2001:db8:1::5"}"#.utf8)) == [5, 6, 7])
        #expect(try networkAutomaton.matchingRules(json: Array(#"{"ip":"2001:db9::"}"#.utf8)) == [7])
        #expect(try networkAutomaton.matchingRules(json: Array(#"{"ip":"10.1.2"}"#.utf8)) == [])
    }

    /// The byte-key table, scanned (few keys) or hashed, against a dictionary: keys of every length
    /// from 0 to 20 (around the 8-byte inline prefix), under two tags, with lookups of near misses
    /// (same first bytes, one byte changed, one byte longer or shorter, the other tag).
    @Test func byteKeyTableMatchesADictionary() {
        var generator = PropertyTests.Generator(state: 4242)
        for size in [0, 1, 2, 5, ByteKeyTable.scanLimit, ByteKeyTable.scanLimit + 1, 40] {
            var entries: [(tag: UInt32, key: [UInt8], value: Int32)] = []
            var reference: [[UInt8]: Int32] = [:] // tag byte, then the key
            while entries.count < size {
                let tag = UInt32(1 + generator.below(2))
                let key = (0..<generator.below(21)).map { _ in UInt8(truncatingIfNeeded: 97 + generator.below(3)) }
                let value = Int32(entries.count)
                entries.append((tag, key, value))
                reference[[UInt8(tag)] + key] = value
            }
            let table = ByteKeyTable(entries)
            var probes: [(UInt32, [UInt8])] = entries.map { ($0.tag, $0.key) }
            for entry in entries {
                probes.append((3 - entry.tag, entry.key))
                probes.append((entry.tag, entry.key + [97]))
                if !entry.key.isEmpty {
                    probes.append((entry.tag, Array(entry.key.dropLast())))
                    var changed = entry.key
                    changed[generator.below(changed.count)] ^= 4
                    probes.append((entry.tag, changed))
                }
            }
            for length in 0...20 { probes.append((1, [UInt8](repeating: 98, count: length))) }
            for (tag, key) in probes {
                let expected = reference[[UInt8(tag)] + key] ?? -1
                let actual = key.withUnsafeBytes { table.lookup(tag: tag, key: $0) }
                #expect(actual == expected, "size \(size) tag \(tag) key \(key)")
            }
        }
    }

    /// The word of 1 to 7 bytes read with overlapping loads is the bytes in little-endian order.
    @Test func partialWordIsTheBytesLittleEndian() {
        let bytes: [UInt8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99]
        for start in 0..<2 {
            for count in 1...7 {
                var expected: UInt64 = 0
                for index in 0..<count { expected |= UInt64(bytes[start + index]) << UInt64(8 * index) }
                let actual = bytes.withUnsafeBytes { ByteOps.partialWord($0.baseAddress! + start, count) }
                #expect(actual == expected, "start \(start) count \(count)")
            }
        }
    }
}
