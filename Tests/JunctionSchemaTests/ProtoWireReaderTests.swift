import Testing
@testable import JunctionSchema

@Suite("Protobuf wire reader")
struct ProtoWireReaderTests {
    func read<T>(_ bytes: [UInt8], _ body: (inout ProtoWireReader) throws(ProtoWireError) -> T) -> Result<T, ProtoWireError> {
        bytes.withUnsafeBytes { buf in
            var r = ProtoWireReader(buf)
            return Result { () throws(ProtoWireError) -> T in try body(&r) }
        }
    }

    @Test func varints() throws {
        #expect(try read([0x96, 0x01]) { (r) throws(ProtoWireError) in try r.readVarint() }.get() == 150)
        let max = [UInt8](repeating: 0xFF, count: 9) + [0x01]
        #expect(try read(max) { (r) throws(ProtoWireError) in try r.readVarint() }.get() == UInt64.max)
        let overflow = [UInt8](repeating: 0xFF, count: 9) + [0x02]
        #expect(read(overflow) { (r) throws(ProtoWireError) in try r.readVarint() }.failureKind == .varintOverflow)
        let tooLong = [UInt8](repeating: 0x80, count: 10) + [0x00]
        #expect(read(tooLong) { (r) throws(ProtoWireError) in try r.readVarint() }.failureKind == .varintOverflow)
        #expect(read([0x80]) { (r) throws(ProtoWireError) in try r.readVarint() }.failureKind == .truncated)
    }

    @Test func tags() throws {
        let t = try read([0x08]) { (r) throws(ProtoWireError) in try r.readTag() }.get()
        #expect(t.fieldNumber == 1 && t.wireType == .varint)
        #expect(read([0x07]) { (r) throws(ProtoWireError) in try r.readTag() }.failureKind == .invalidFieldNumber(0))
        #expect(read([0x0E]) { (r) throws(ProtoWireError) in try r.readTag() }.failureKind == .invalidWireType(6))
    }

    @Test func fixedAndLengthDelimited() throws {
        #expect(try read([1, 0, 0, 0]) { (r) throws(ProtoWireError) in try r.readFixed32() }.get() == 1)
        #expect(read([1, 0, 0]) { (r) throws(ProtoWireError) in try r.readFixed32() }.failureKind == .truncated)
        #expect(try read([0, 0, 0, 0, 0, 0, 0, 0x80]) { (r) throws(ProtoWireError) in try r.readFixed64() }.get() == 1 << 63)
        let ld = try read([3, 0x61, 0x62, 0x63]) { (r) throws(ProtoWireError) in try Array(r.readLengthDelimited().bytes) }.get()
        #expect(ld == Array("abc".utf8))
        #expect(read([5, 1]) { (r) throws(ProtoWireError) in try r.readLengthDelimited().offset }.failureKind == .lengthOutOfBounds(5))
    }

    @Test func skipsGroups() throws {
        // field 1 start-group, inner varint field 2 = 1, field 1 end-group, then field 3 varint 7.
        let bytes: [UInt8] = [0x0B, 0x10, 0x01, 0x0C, 0x18, 0x07]
        let v = try read(bytes) { (r) throws(ProtoWireError) -> UInt64 in
            let (n, wt) = try r.readTag()
            try r.skipValue(wireType: wt, fieldNumber: n)
            _ = try r.readTag()
            return try r.readVarint()
        }.get()
        #expect(v == 7)
    }
}

extension Result where Failure == ProtoWireError {
    var failureKind: ProtoWireError.Kind? {
        if case .failure(let e) = self { return e.kind }
        return nil
    }
}
