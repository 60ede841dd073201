import JunctionTestSupport
import Testing
@testable import JunctionSchema

/// Collects visits as "path=value" strings.
struct CollectingVisitor: ProtoFieldVisitor {
    var seen: [String] = []
    mutating func visit(_ path: ProtoFieldPath, _ value: ProtoFieldValue) {
        let v: String
        switch value {
        case .int(let i): v = "\(i)"
        case .uint(let u): v = "\(u)"
        case .double(let d): v = "\(d)"
        case .float(let f): v = "\(f)"
        case .bool(let b): v = "\(b)"
        case .string(let s): v = "\"\(String(decoding: s, as: UTF8.self))\""
        case .bytes(let b): v = "bytes(\(b.count))"
        case .enumValue(let n, let name): v = name.map { String(decoding: $0, as: UTF8.self) } ?? "\(n)"
        }
        seen.append("\(path.dotted)=\(v)")
    }
}

@Suite("Protobuf field visitor")
struct ProtoFieldVisitorTests {
    @Test func visitsEveryScalarByJSONPath() {
        let validator = Fixtures.validator()
        var visitor = CollectingVisitor()
        let bytes = ProtoMessageValidatorTests.fullOrder()
        let result = bytes.withUnsafeBytes { validator.walk($0, visitor: &visitor) }
        #expect(result == .valid)
        let expected = [
            "orderId=\"o-1\"", "amount=1250", "total.currency=\"EUR\"", "total.units=12", "total.nanos=-500000000",
            "lines.sku=\"sku-1\"", "lines.quantity=2", "lines.sku=\"sku-2\"", "lines.quantity=1",
            "labels[env]=\"prod\"", "status=STATUS_PAID", "priority=-3", "email=\"a@example.com\"",
            "codes=1", "codes=2", "codes=-7", "stamps=42", "stamps=43", "gift=true", "count=4294967295",
            "delta=-2", "bigDelta=-9000000000", "ratio=0.5", "score=1.5", "blob=bytes(3)", "customer=\"Zoë\"",
            "audit.actor=\"system\"", "audit.kind=KIND_DELETE", "audit.ids=5", "audit.ids=6", "audit.extra.level=9",
            "linesByNo[7].sku=\"sku-7\"", "tree.children.name=\"leaf\"", "tree.name=\"root\"",
        ]
        #expect(visitor.seen == expected)
    }

    @Test func pathGivesBytesAndNumbers() {
        struct Probe: ProtoFieldVisitor {
            var numbers: [[Int32]] = []
            var firstNames: [String] = []
            mutating func visit(_ path: ProtoFieldPath, _ value: ProtoFieldValue) {
                numbers.append((0..<path.count).map { path.fieldNumber(at: $0) })
                firstNames.append(String(decoding: path.jsonName(at: 0), as: UTF8.self))
            }
        }
        var probe = Probe()
        let bytes = ProtoTestEncoder.build { e in e.message(3) { m in m.int(2, 5) } }
        _ = bytes.withUnsafeBytes { Fixtures.validator().walk($0, visitor: &probe) }
        #expect(probe.numbers == [[3, 2]])
        #expect(probe.firstNames == ["total"])
    }
}
