import JunctionTestSupport
import Testing
@testable import JunctionSchema

@Suite("Protobuf validator")
struct ProtoMessageValidatorTests {
    let validator = Fixtures.validator()

    static func fullOrder() -> [UInt8] {
        ProtoTestEncoder.build { e in
            e.string(1, "o-1")
            e.int(2, 1250)
            e.message(3) { m in m.string(1, "EUR"); m.int(2, 12); m.int(3, -500_000_000) }
            e.message(4) { l in l.string(1, "sku-1"); l.varint(2, 2) }
            e.message(4) { l in l.string(1, "sku-2"); l.varint(2, 1) }
            e.message(5) { m in m.string(1, "env"); m.string(2, "prod") }
            e.varint(6, 2)
            e.int(7, -3)
            e.string(8, "a@example.com")
            e.packedVarints(10, [1, 2, UInt64(bitPattern: -7)])
            e.fixed64(11, 42)
            e.fixed64(11, 43)
            e.varint(12, 1)
            e.varint(13, UInt64(UInt32.max))
            e.sint(14, -2)
            e.sint(15, -9_000_000_000)
            e.fixed64(16, (0.5 as Double).bitPattern)
            e.fixed32(17, (1.5 as Float).bitPattern)
            e.lengthDelimited(18, [0, 0xFF, 0x80])
            e.string(19, "Zoë")
            e.message(20) { a in
                a.string(1, "system")
                a.varint(2, 3)
                a.packedVarints(3, [5, 6])
                a.group(4) { g in g.int(5, 9) }
            }
            e.message(21) { m in m.int(1, 7); m.message(2) { l in l.string(1, "sku-7") } }
            e.message(22) { n in n.message(1) { c in c.string(2, "leaf") }; n.string(2, "root") }
        }
    }

    func failure(_ bytes: [UInt8], _ v: ProtoMessageValidator? = nil) -> ProtoValidationFailure? {
        (v ?? validator).validate(bytes).failure
    }

    @Test func acceptsAWellFormedMessage() {
        #expect(validator.validate(Self.fullOrder()) == .valid)
        #expect(validator.validate([]) == .valid)
    }

    @Test func wireTypeMismatchNamesPathAndTypes() throws {
        let bytes = ProtoTestEncoder.build { e in e.string(2, "12") }
        let f = try #require(failure(bytes))
        #expect(f.rule == .wireType)
        #expect(f.description == "detail.amount: expected varint (int64), found length-delimited")
        let nested = ProtoTestEncoder.build { e in e.message(3) { m in m.fixed32(2, 1) } }
        #expect(failure(nested)?.description == "detail.total.units: expected varint (int64), found fixed32")
        let group = ProtoTestEncoder.build { e in e.message(20) { a in a.string(1, "x"); a.varint(4, 1) } }
        #expect(failure(group)?.description == "detail.audit.extra: expected start-group (group), found varint")
    }

    @Test func varintRanges() throws {
        // int32 written sign-extended (10 bytes) is valid; 2^31 is not.
        #expect(validator.validate(ProtoTestEncoder.build { e in e.int(7, Int64(Int32.min)) }) == .valid)
        let big = try #require(failure(ProtoTestEncoder.build { e in e.varint(7, 1 << 31) }))
        #expect(big.rule == .varintRange)
        #expect(big.description == "detail.priority: varint 2147483648 out of range for int32")
        #expect(failure(ProtoTestEncoder.build { e in e.varint(13, 1 << 32) })?.rule == .varintRange)
        #expect(failure(ProtoTestEncoder.build { e in e.varint(14, 1 << 32) })?.rule == .varintRange)
        let b = try #require(failure(ProtoTestEncoder.build { e in e.varint(12, 2) }))
        #expect(b.description == "detail.gift: bool value 2 is not 0 or 1")
        #expect(failure(ProtoTestEncoder.build { e in e.int(6, Int64(Int32.max) + 1) })?.rule == .varintRange)
    }

    @Test func overlongAndTruncatedVarints() throws {
        var bytes: [UInt8] = [0x10] + [UInt8](repeating: 0xFF, count: 10) + [0x01]
        #expect(failure(bytes)?.rule == .malformed)
        bytes = [0x10, 0xFF, 0xFF]
        let t = try #require(failure(bytes))
        #expect(t.rule == .truncated && t.path == "detail.amount")
        // A length prefix larger than what is left.
        #expect(failure([0x0A, 0x05, 0x61])?.rule == .truncated)
        // Truncated fixed64.
        #expect(failure([0x81, 0x01, 0, 0, 0])?.rule == .truncated)
    }

    @Test func invalidTags() {
        #expect(failure([0x07, 0x00])?.rule == .malformed)   // field number 0
        #expect(failure([0x0E])?.rule == .malformed)          // wire type 6
        #expect(failure([0x0C])?.rule == .malformed)          // stray end-group
    }

    @Test func utf8() throws {
        let bad = ProtoTestEncoder.build { e in e.lengthDelimited(1, [0x61, 0xC3, 0x28]) }
        let f = try #require(failure(bad))
        #expect(f.rule == .utf8 && f.path == "detail.orderId")
        for invalid: [UInt8] in [[0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            #expect(failure(ProtoTestEncoder.build { e in e.lengthDelimited(19, invalid) })?.rule == .utf8)
        }
        // bytes fields are not UTF-8 checked.
        #expect(validator.validate(ProtoTestEncoder.build { e in e.lengthDelimited(18, [0xC0, 0x80]) }) == .valid)
        let long = String(repeating: "aé€😀", count: 40)
        #expect(validator.validate(ProtoTestEncoder.build { e in e.string(1, long) }) == .valid)
    }

    @Test func closedAndOpenEnums() throws {
        // Open (proto3) enum accepts unknown numbers.
        #expect(validator.validate(ProtoTestEncoder.build { e in e.varint(6, 99) }) == .valid)
        // Closed (proto2) enum rejects them.
        let bytes = ProtoTestEncoder.build { e in e.message(20) { a in a.string(1, "x"); a.varint(2, 9) } }
        let f = try #require(failure(bytes))
        #expect(f.rule == .enumValue)
        #expect(f.description == "detail.audit.kind: value 9 is not a member of closed enum shop.legacy.Audit.Kind")
    }

    @Test func requiredFields() throws {
        let bytes = ProtoTestEncoder.build { e in e.message(20) { a in a.varint(2, 1) } }
        let f = try #require(failure(bytes))
        #expect(f.rule == .required)
        #expect(f.description == "detail.audit.actor: missing required field actor")
        let root = try #require(failure([], Fixtures.validator("shop.legacy.Audit")))
        #expect(root.description == "detail.actor: missing required field actor")
    }

    @Test func packedAndUnpackedRepeated() throws {
        let unpacked = ProtoTestEncoder.build { e in e.int(10, 1); e.int(10, 2) }
        #expect(validator.validate(unpacked) == .valid)
        var packedStamps = ProtoTestEncoder()
        packedStamps.lengthDelimited(11, [UInt8](repeating: 1, count: 16))
        #expect(validator.validate(packedStamps.bytes) == .valid)
        var badPacked = ProtoTestEncoder()
        badPacked.lengthDelimited(11, [UInt8](repeating: 1, count: 12))
        let f = try #require(failure(badPacked.bytes))
        #expect(f.rule == .packedLength)
        #expect(f.description == "detail.stamps: packed fixed64 payload of 12 bytes is not a multiple of 8")
        // Packed elements are range-checked too.
        let packedRange = ProtoTestEncoder.build { e in e.packedVarints(10, [1, 1 << 40]) }
        #expect(failure(packedRange)?.rule == .varintRange)
        // A packed encoding of a non-repeated field is a wire-type error.
        #expect(failure(ProtoTestEncoder.build { e in e.packedVarints(7, [1]) })?.rule == .wireType)
    }

    @Test func mapsAreValidatedAsEntries() throws {
        let bad = ProtoTestEncoder.build { e in e.message(5) { m in m.string(1, "k"); m.varint(2, 5) } }
        let f = try #require(failure(bad))
        #expect(f.rule == .wireType)
        #expect(f.path == "detail.labels[k].value")
        let badNested = ProtoTestEncoder.build { e in
            e.message(21) { m in m.int(1, 3); m.message(2) { l in l.string(2, "x") } }
        }
        #expect(failure(badNested)?.description == "detail.linesByNo[3].quantity: expected varint (uint32), found length-delimited")
    }

    @Test func depthLimit() throws {
        func nest(_ n: Int) -> [UInt8] {
            var inner: [UInt8] = []
            for _ in 0..<n {
                var e = ProtoTestEncoder()
                e.lengthDelimited(1, inner)
                inner = e.bytes
            }
            return inner
        }
        let node = Fixtures.validator("shop.v1.Node", ProtoValidationOptions(maxDepth: 10))
        #expect(node.validate(nest(10)) == .valid)
        let f = try #require(node.validate(nest(11)).failure)
        #expect(f.rule == .depth)
        #expect(f.reason == "nesting deeper than 10 levels")
        // Deep unknown groups are bounded too.
        var groups: [UInt8] = []
        for _ in 0..<40 { groups.append(0x1B) } // field 3 start-group, 40 levels
        for _ in 0..<40 { groups.append(0x1C) }
        #expect(node.validate(groups).failure?.rule == .depth)
    }

    @Test func unknownFields() throws {
        let bytes = ProtoTestEncoder.build { e in e.varint(99, 1); e.string(100, "x"); e.group(101) { g in g.int(1, 1) } }
        #expect(validator.validate(bytes) == .valid)
        let strict = Fixtures.validator("shop.v1.OrderPlaced", ProtoValidationOptions(allowUnknownFields: false))
        let f = try #require(strict.validate(bytes).failure)
        #expect(f.rule == .unknownField)
        #expect(f.description == "detail: unknown field number 99 (varint) is not allowed")
        #expect(strict.validate(Self.fullOrder()) == .valid)
    }

    @Test func sizeLimit() throws {
        let small = Fixtures.validator("shop.v1.OrderPlaced", ProtoValidationOptions(maxBytes: 16))
        let f = try #require(small.validate(Self.fullOrder()).failure)
        #expect(f.rule == .size)
    }

    @Test func groups() throws {
        let unclosed: [UInt8] = ProtoTestEncoder.build { e in
            e.message(20) { a in a.string(1, "x"); a.tag(4, 3); a.int(5, 1) }
        }
        #expect(failure(unclosed)?.rule == .malformed)
        let mismatched: [UInt8] = ProtoTestEncoder.build { e in
            e.message(20) { a in a.string(1, "x"); a.tag(4, 3); a.tag(6, 4) }
        }
        #expect(failure(mismatched)?.rule == .malformed)
    }

    @Test func customRootPath() {
        let v = Fixtures.validator("shop.v1.OrderPlaced", ProtoValidationOptions(rootPath: "event.detail"))
        #expect(v.validate(ProtoTestEncoder.build { e in e.string(2, "x") }).failure?.path == "event.detail.amount")
    }
}
