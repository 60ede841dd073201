import Testing
import JunctionWire

/// WireScanner reads fields without decoding; a malformed input ends the
/// scan (nil) instead of reading past the buffer.
@Suite struct WireScannerTests {
    typealias Field = (field: UInt32, wireType: UInt8, value: UInt64, bytes: [UInt8])

    func scan(_ bytes: [UInt8]) -> (fields: [Field], endedAtEnd: Bool) {
        bytes.withUnsafeBytes { raw in
            var scanner = WireScanner(raw)
            var fields: [Field] = []
            while let f = scanner.next() { fields.append((f.field, f.wireType, f.value, Array(f.bytes))) }
            return (fields, scanner.isAtEnd)
        }
    }

    @Test func readsEveryWireTypeWithOneAndMultiByteVarints() {
        let bytes: [UInt8] = [
            0x08, 0x05,                                     // 1: varint 5 (one byte)
            0x10, 0xAC, 0x02,                               // 2: varint 300
            0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,  // 3: UInt64.max (10 bytes)
            0x21, 1, 2, 3, 4, 5, 6, 7, 8,                   // 4: fixed64
            0x2D, 0x78, 0x56, 0x34, 0x12,                   // 5: fixed32
            0x32, 0x03, 0x61, 0x62, 0x63,                   // 6: bytes "abc"
            0x80, 0x01, 0x07,                               // 16: two-byte tag, varint 7
        ]
        let (fields, atEnd) = scan(bytes)
        #expect(atEnd)
        #expect(fields.map(\.field) == [1, 2, 3, 4, 5, 6, 16])
        #expect(fields.map(\.wireType) == [0, 0, 0, 1, 5, 2, 0])
        #expect(fields[0].value == 5)
        #expect(fields[1].value == 300)
        #expect(fields[2].value == UInt64.max)
        #expect(fields[3].value == 0x0807_0605_0403_0201)
        #expect(fields[4].value == 0x1234_5678)
        #expect(fields[5].bytes == Array("abc".utf8) && fields[5].value == 3)
        #expect(fields[6].value == 7)
    }

    @Test func stopsOnMalformedInput() {
        // A length past the end.
        #expect(scan([0x0A, 0x05, 0x61]).fields.isEmpty)
        // A varint cut off by the end of the buffer.
        #expect(scan([0x08, 0x05, 0x10, 0x80]).fields.count == 1)
        // An 11-byte varint.
        #expect(scan([0x08] + Array(repeating: 0xFF, count: 10) + [0x01]).fields.isEmpty)
        // Truncated fixed64 and fixed32.
        #expect(scan([0x09, 1, 2, 3]).fields.isEmpty)
        #expect(scan([0x0D, 1, 2]).fields.isEmpty)
        // Groups (wire types 3 and 4) and the unused types 6 and 7.
        for type: UInt8 in [3, 4, 6, 7] { #expect(scan([0x08 | type, 0x00]).fields.isEmpty) }
    }

    @Test func varintAndOffsetAdvanceTogether() {
        ([0x96, 0x01, 0x05] as [UInt8]).withUnsafeBytes { raw in
            var scanner = WireScanner(raw)
            let first = scanner.varint()
            #expect(first == 150)
            #expect(scanner.offset == 2 && scanner.remaining == 1)
            let skipped = scanner.skipTag()
            #expect(skipped)
            #expect(scanner.isAtEnd)
            let past = scanner.varint()
            #expect(past == nil)
        }
    }
}
