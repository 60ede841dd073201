import JunctionTestSupport
import Testing
@testable import JunctionSchema


@Suite("Protobuf walker fuzz (bounded)")
struct ProtoWalkerFuzzTests {
    static let iterations = 20_000

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        let edits = Int.random(in: 1...4, using: &rng)
        for _ in 0..<edits {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !b.isEmpty:  // flip a bit
                let i = Int.random(in: 0..<b.count, using: &rng)
                b[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !b.isEmpty:  // truncate
                b.removeLast(Int.random(in: 1...min(b.count, 16), using: &rng))
            case 2:  // insert random bytes
                let at = Int.random(in: 0...b.count, using: &rng)
                let n = Int.random(in: 1...8, using: &rng)
                b.insert(contentsOf: (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 3 where !b.isEmpty:  // overwrite with a boundary byte
                let i = Int.random(in: 0..<b.count, using: &rng)
                b[i] = [0x00, 0x7F, 0x80, 0xFF, 0x0B, 0x0C, 0x0F][Int.random(in: 0..<7, using: &rng)]
            case 4 where b.count > 4:  // duplicate a slice
                let i = Int.random(in: 0..<(b.count - 2), using: &rng)
                let j = Int.random(in: (i + 1)..<b.count, using: &rng)
                b.insert(contentsOf: b[i..<j], at: j)
            default:  // delete a byte
                if !b.isEmpty { b.remove(at: Int.random(in: 0..<b.count, using: &rng)) }
            }
        }
        return b
    }

    @Test func mutatedPayloadsNeverCrashAndAlwaysExplain() {
        let seeds: [[UInt8]] = [
            ProtoMessageValidatorTests.fullOrder(),
            ProtoTestEncoder.build { e in e.message(20) { a in a.string(1, "x"); a.group(4) { g in g.int(5, 1) } } },
            ProtoTestEncoder.build { e in e.message(22) { n in n.message(1) { c in c.message(1) { d in d.string(2, "deep") } } } },
        ]
        let lenient = Fixtures.validator()
        let strict = Fixtures.validator("shop.v1.OrderPlaced", ProtoValidationOptions(allowUnknownFields: false, maxDepth: 4))
        var rng = SplitMix64(seed: 0x4A75_6E63_7469_6F6E)
        var invalid = 0
        var valid = 0
        for i in 0..<Self.iterations {
            let input = Self.mutate(seeds[i % seeds.count], &rng)
            for v in [lenient, strict] {
                let plain = v.validate(input)
                var visitor = CollectingVisitor()
                let visited = input.withUnsafeBytes { v.walk($0, visitor: &visitor) }
                // Visiting never changes the verdict.
                if plain != visited {
                    Issue.record("verdict differs with a visitor for input \(input)")
                    return
                }
                switch plain {
                case .valid: valid += 1
                case .invalid(let f):
                    invalid += 1
                    if !f.path.hasPrefix("detail") || f.reason.isEmpty || f.offset < 0 || f.offset > input.count {
                        Issue.record("bad failure \(f) for input \(input)")
                        return
                    }
                }
            }
        }
        // The mutations reach both outcomes.
        #expect(valid > 100)
        #expect(invalid > 100)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SplitMix64(seed: 7)
        let v = Fixtures.validator()
        var outcomes = Set<ProtoValidationRule?>()
        for _ in 0..<Self.iterations {
            let n = Int.random(in: 0..<64, using: &rng)
            let input = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            outcomes.insert(v.validate(input).failure?.rule)
        }
        #expect(outcomes.count >= 5)
    }
}
