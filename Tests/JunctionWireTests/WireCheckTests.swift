import CJunctionWire
import JunctionTestSupport
import Testing
@testable import JunctionWire

/// junction_wire_check on hand-built bytes: the fast paths (short varints,
/// field lookup by index, the word-at-a-time string scan) must report
/// exactly what the plain byte-by-byte walk reports: status, offset,
/// message, field name and number.
@Suite struct WireCheckTests {

    // MARK: - helpers

    struct Outcome: Equatable, CustomStringConvertible {
        var status: junction_wire_status
        var offset: Int = 0
        var message: String? = nil
        var field: String? = nil
        var number: UInt32 = 0

        static let ok = Outcome(status: JUNCTION_WIRE_OK)

        var description: String {
            "status \(status.rawValue) at \(offset) in \(message ?? "-").\(field ?? "-") #\(number)"
        }
    }

    func check(_ d: UnsafePointer<ProtobufCMessageDescriptor>, _ bytes: [UInt8], maxDepth: UInt32 = 8) -> Outcome {
        var problem = junction_wire_problem()
        let ok = bytes.withUnsafeBufferPointer { junction_wire_check(d, $0.baseAddress, $0.count, maxDepth, &problem) }
        if ok {
            #expect(problem.status == JUNCTION_WIRE_OK)
            return .ok
        }
        return Outcome(status: problem.status, offset: problem.offset,
                       message: problem.message_name.map { String(cString: $0) },
                       field: problem.field_name.map { String(cString: $0) },
                       number: problem.field_number)
    }

    // ProtoTestEncoder's writers as byte arrays, to splice into hand-made (often malformed) input.
    func varint(_ value: UInt64) -> [UInt8] { ProtoTestEncoder.build { $0.rawVarint(value) } }

    func tag(_ number: UInt64, _ wire: UInt64) -> [UInt8] { ProtoTestEncoder.build { $0.tag(Int(number), UInt8(wire)) } }

    func lengthDelimited(_ number: UInt64, _ bytes: [UInt8]) -> [UInt8] {
        ProtoTestEncoder.build { $0.lengthDelimited(Int(number), bytes) }
    }

    /// The message a field of `d` holds.
    func nested(_ d: UnsafePointer<ProtobufCMessageDescriptor>, _ number: UInt32) -> UnsafePointer<ProtobufCMessageDescriptor> {
        let fields = UnsafeBufferPointer(start: d.pointee.fields, count: Int(d.pointee.n_fields))
        let f = fields.first { $0.id == number }!
        return f.descriptor!.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
    }

    var clientFrame: UnsafePointer<ProtobufCMessageDescriptor> { junction_client_frame_descriptor() }
    var publishBatch: UnsafePointer<ProtobufCMessageDescriptor> { nested(clientFrame, 2) }
    var event: UnsafePointer<ProtobufCMessageDescriptor> { nested(publishBatch, 2) }

    /// What a string field's bytes must give: a 0 byte anywhere first, then
    /// UTF-8 well-formedness (the standard library's validator as the oracle).
    func expectedStringStatus(_ s: [UInt8]) -> junction_wire_status {
        if s.contains(0) { return JUNCTION_WIRE_NUL_IN_STRING }
        return String(validating: s, as: UTF8.self) == nil ? JUNCTION_WIRE_INVALID_UTF8 : JUNCTION_WIRE_OK
    }

    /// Checks `s` as Event.source after an id field, so the reported offset
    /// is not 0; also checks junction_utf8_valid (which accepts 0 bytes).
    func expectString(_ s: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let prefix = lengthDelimited(1, Array("id-1".utf8))
        let bytes = prefix + lengthDelimited(2, s) + lengthDelimited(3, Array("T".utf8))
        let status = expectedStringStatus(s)
        let expected = status == JUNCTION_WIRE_OK
            ? Outcome.ok
            : Outcome(status: status, offset: prefix.count, message: "junction.v1.Event", field: "source", number: 2)
        let got = check(event, bytes)
        #expect(got == expected, "bytes \(s)", sourceLocation: sourceLocation)
        let valid = s.withUnsafeBufferPointer { junction_utf8_valid($0.baseAddress, $0.count) }
        #expect(valid == (String(validating: s, as: UTF8.self) != nil), "bytes \(s)", sourceLocation: sourceLocation)
    }

    /// Every message descriptor reachable from `root`.
    func reachable(from roots: [UnsafePointer<ProtobufCMessageDescriptor>]) -> [UnsafePointer<ProtobufCMessageDescriptor>] {
        var seen: [UnsafePointer<ProtobufCMessageDescriptor>] = []
        var queue = roots
        while let d = queue.popLast() {
            if seen.contains(d) { continue }
            seen.append(d)
            for f in UnsafeBufferPointer(start: d.pointee.fields, count: Int(d.pointee.n_fields))
            where f.type == PROTOBUF_C_TYPE_MESSAGE {
                queue.append(f.descriptor!.assumingMemoryBound(to: ProtobufCMessageDescriptor.self))
            }
        }
        return seen
    }

    func wireType(of type: ProtobufCType) -> UInt64 {
        switch type {
        case PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_SFIXED64, PROTOBUF_C_TYPE_DOUBLE: return 1
        case PROTOBUF_C_TYPE_FIXED32, PROTOBUF_C_TYPE_SFIXED32, PROTOBUF_C_TYPE_FLOAT: return 5
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_BYTES, PROTOBUF_C_TYPE_MESSAGE: return 2
        default: return 0
        }
    }

    // MARK: - strings

    @Test func stringsWithANulOrNonASCIIByteAtEveryPosition() {
        for length in 0...17 {
            let ascii = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            expectString(ascii)
            for position in 0..<length {
                for byte: UInt8 in [0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xF5, 0xFF] {
                    var s = ascii
                    s[position] = byte
                    expectString(s)
                    // The same with a NUL at the end: the NUL wins over bad UTF-8.
                    if position + 1 < length {
                        s[length - 1] = 0
                        expectString(s)
                    }
                }
                // Well-formed and malformed sequences starting here.
                let sequences: [[UInt8]] = [
                    Array("é".utf8), Array("€".utf8), Array("😀".utf8), Array("\u{10FFFF}".utf8),
                    [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
                    [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
                    [0xC3, 0x00], [0xE2, 0x82, 0x00], [0xF0, 0x9F, 0x98, 0x00], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
                ]
                for sequence in sequences where position + sequence.count <= length {
                    var s = ascii
                    s.replaceSubrange(position..<(position + sequence.count), with: sequence)
                    expectString(s)
                }
            }
        }
    }

    @Test func invalidUTF8RightAfterAnASCIIRun() {
        for run in [7, 8, 9, 15, 16, 17, 24] {
            let ascii = [UInt8](repeating: UInt8(ascii: "x"), count: run)
            for bad: [UInt8] in [[0x80], [0xFF], [0xC3], [0xC3, 0x28], [0xE2, 0x28, 0xA1], [0xED, 0xA0, 0x80],
                                 [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xF0, 0x9F, 0x98]] {
                expectString(ascii + bad)
                expectString(ascii + bad + Array("tail".utf8))
                expectString(ascii + bad + Array("tail-long-enough".utf8))
                expectString(ascii + bad + [0x41, 0x00, 0x41])
                expectString(ascii + Array("é".utf8) + ascii + bad)
            }
            expectString(ascii + [0x00])
            expectString(ascii + Array("ü".utf8) + ascii)
            expectString(ascii + Array("ü".utf8) + ascii + [0x00])
        }
        let report = check(event, lengthDelimited(2, Array("12345678".utf8) + [0xC3, 0x28]))
        #expect(report == Outcome(status: JUNCTION_WIRE_INVALID_UTF8, offset: 0, message: "junction.v1.Event", field: "source", number: 2))
        let nul = check(event, lengthDelimited(2, Array("12345678".utf8) + [0xC3, 0x28, 0x00]))
        #expect(nul == Outcome(status: JUNCTION_WIRE_NUL_IN_STRING, offset: 0, message: "junction.v1.Event", field: "source", number: 2))
    }

    @Test func everyTwoByteSequenceAroundASCIIRuns() {
        for prefix in [0, 8, 9] {
            for suffix in [0, 3] {
                let count = prefix + 2 + suffix
                var bytes: [UInt8] = [0x12, UInt8(count)]
                    + [UInt8](repeating: UInt8(ascii: "p"), count: prefix) + [0, 0]
                    + [UInt8](repeating: UInt8(ascii: "s"), count: suffix)
                let at = 2 + prefix
                var mismatches = 0
                for pair in 0..<65536 {
                    bytes[at] = UInt8(pair >> 8)
                    bytes[at + 1] = UInt8(pair & 0xFF)
                    var problem = junction_wire_problem()
                    let ok = bytes.withUnsafeBufferPointer { junction_wire_check(event, $0.baseAddress, $0.count, 8, &problem) }
                    let got = ok ? JUNCTION_WIRE_OK : problem.status
                    let expected = expectedStringStatus(Array(bytes[2...]))
                    if got != expected {
                        mismatches += 1
                        if mismatches <= 5 { Issue.record("\(bytes[2...]): got \(got.rawValue), expected \(expected.rawValue)") }
                    }
                }
                #expect(mismatches == 0)
            }
        }
    }

    @Test func threeAndFourByteSequences() {
        let continuations: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        for lead in UInt8(0xE0)...0xF7 {
            for c1 in continuations {
                for c2 in continuations {
                    expectString(Array("abcdefgh".utf8) + [lead, c1, c2])
                    for c3 in continuations where lead >= 0xF0 {
                        expectString([lead, c1, c2, c3] + Array("abcdefgh".utf8))
                    }
                }
            }
        }
    }

    @Test func stringsInNestedMessagesNameTheirField() {
        let entry = lengthDelimited(1, Array("traceparent".utf8)) + lengthDelimited(2, Array("00-abc\u{0}def".utf8))
        let prefix = lengthDelimited(2, Array("src".utf8))
        let bytes = prefix + lengthDelimited(12, entry)
        let entryStart = prefix.count + 2
        #expect(check(event, bytes) == Outcome(status: JUNCTION_WIRE_NUL_IN_STRING, offset: entryStart + 13,
                                               message: "junction.v1.Event.AttributesEntry", field: "value", number: 2))
        // Bytes fields are not strings.
        #expect(check(event, lengthDelimited(11, [0x00, 0xFF, 0xC0])) == .ok)
        // Repeated strings are checked one by one.
        let resources = lengthDelimited(6, Array("arn:a".utf8)) + lengthDelimited(6, [])
        #expect(check(event, resources + lengthDelimited(6, [0x61, 0xED, 0xA0, 0x80]))
                == Outcome(status: JUNCTION_WIRE_INVALID_UTF8, offset: resources.count, message: "junction.v1.Event",
                           field: "resources", number: 6))
    }

    @Test func decoderMessageForANulInAString() throws {
        let frame = PublishBatchFrame(batchID: 1, events: [OutgoingEvent(source: "XYZWVUTSRQ", detailType: "t")]).frameBytes()
        var bytes = Array(frame.dropFirst(5))
        let i = bytes.firstIndex(of: UInt8(ascii: "X"))!
        bytes[i + 9] = 0
        let arena = ProtobufArena(capacity: 4096)
        #expect(throws: WireError(.invalidUTF8, "junction.v1.Event.source at byte \(i - 2): string contains a NUL character")) {
            try bytes.withUnsafeBytes { try FrameDecoder.decodeClientFrame($0, arena: arena) }
        }
    }

    // MARK: - varints

    @Test func varintsAtTheEndOfTheBuffer() {
        let id = lengthDelimited(1, Array("ab".utf8))
        func failure(_ status: junction_wire_status, at offset: Int, _ field: String? = nil, _ number: UInt32 = 0) -> Outcome {
            Outcome(status: status, offset: offset, message: "junction.v1.Event", field: field, number: number)
        }
        // A tag cut short.
        #expect(check(event, [0x80]) == failure(JUNCTION_WIRE_TRUNCATED, at: 0))
        #expect(check(event, id + [0x80]) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count))
        #expect(check(event, id + [0xFF, 0xFF]) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count))
        #expect(check(event, id + [UInt8](repeating: 0x80, count: 9)) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count))
        // A tag of more than 10 bytes.
        #expect(check(event, id + [UInt8](repeating: 0x80, count: 10) + [0x01]) == failure(JUNCTION_WIRE_BAD_VARINT, at: id.count))
        // A two-byte tag (field 16, unknown) with its value missing or cut.
        #expect(check(event, id + tag(16, 0)) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count, nil, 16))
        #expect(check(event, id + tag(16, 0) + [0x80]) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count, nil, 16))
        #expect(check(event, id + tag(16, 0) + [0x01]) == .ok)
        #expect(check(event, id + tag(2047, 0) + [0xFF, 0x7F]) == .ok)
        #expect(check(event, id + tag(2048, 0) + [0xFF, 0x7F]) == .ok)  // a three-byte tag
        // A varint value cut after one, two and nine bytes, and exactly ten bytes long.
        for cut in [[0x80], [0xFF, 0x80], [UInt8](repeating: 0xFF, count: 9)] as [[UInt8]] {
            #expect(check(event, id + [0x20] + cut) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count, "time_unix_nanos", 4))
        }
        #expect(check(event, id + [0x20] + [UInt8](repeating: 0xFF, count: 9) + [0x01]) == .ok)
        #expect(check(event, id + [0x20] + [UInt8](repeating: 0xFF, count: 10) + [0x01])
                == failure(JUNCTION_WIRE_BAD_VARINT, at: id.count, "time_unix_nanos", 4))
        // Lengths: missing, cut, two bytes long, longer than what follows.
        #expect(check(event, id + [0x12]) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count, "source", 2))
        #expect(check(event, id + [0x12, 0xC8]) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count, "source", 2))
        let long = [UInt8](repeating: UInt8(ascii: "q"), count: 200)
        #expect(check(event, id + [0x12, 0xC8, 0x01] + long) == .ok)
        #expect(check(event, id + [0x12, 0xC8, 0x01] + long.dropLast()) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count, "source", 2))
        #expect(check(event, id + [0x12, 0xC8, 0x01] + long.dropLast() + [0xFF])
                == failure(JUNCTION_WIRE_INVALID_UTF8, at: id.count, "source", 2))
        // Over-long (non-minimal) encodings decode to the same values.
        #expect(check(event, [0x92, 0x00, 0x01, 0x61]) == .ok)                      // tag 0x12 in two bytes
        #expect(check(event, [0x92, 0x80, 0x00, 0x81, 0x00, 0x61]) == .ok)          // tag in three, length in two
        #expect(check(event, [0x92, 0x00, 0x81, 0x00, 0x00])
                == failure(JUNCTION_WIRE_NUL_IN_STRING, at: 0, "source", 2))
        // Fixed-size values cut short.
        #expect(check(event, id + tag(20, 1) + [UInt8](repeating: 0, count: 7)) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count, nil, 20))
        #expect(check(event, id + tag(20, 5) + [0, 0, 0]) == failure(JUNCTION_WIRE_TRUNCATED, at: id.count, nil, 20))
        #expect(check(event, id + tag(20, 1) + [UInt8](repeating: 0, count: 8) + tag(20, 5) + [0, 0, 0, 0]) == .ok)
    }

    /// Varint values (known and unknown fields) of every length, with and
    /// without bytes after them, cut short, and one byte too long; the
    /// field after a varint must start where the varint ends.
    @Test func varintValuesOfEveryLength() {
        let next = lengthDelimited(2, Array("abcdefghi".utf8) + [0x00])  // 12 bytes, fails on its NUL
        for field: UInt64 in [4, 13, 99] {
            let name: String? = field == 4 ? "time_unix_nanos" : field == 13 ? "position" : nil
            let head = lengthDelimited(1, Array("x".utf8)) + tag(field, 0)
            for length in 1...11 {
                for last: UInt8 in [0x00, 0x01, 0x7F] {
                    for continuation: UInt8 in [0x80, 0xFF] {
                        let value = [UInt8](repeating: continuation, count: length - 1) + [last]
                        if length <= 10 {
                            #expect(check(event, head + value) == .ok, "\(value)")
                            #expect(check(event, head + value + next)
                                    == Outcome(status: JUNCTION_WIRE_NUL_IN_STRING, offset: head.count + length,
                                               message: "junction.v1.Event", field: "source", number: 2), "\(value)")
                        } else {
                            let tooLong = Outcome(status: JUNCTION_WIRE_BAD_VARINT, offset: 3, message: "junction.v1.Event",
                                                  field: name, number: UInt32(field))
                            #expect(check(event, head + value) == tooLong)
                            #expect(check(event, head + value + next) == tooLong)
                        }
                        // Cut before its last byte: truncated, unless ten bytes with the high bit were read.
                        let cut = [UInt8](repeating: continuation, count: length - 1)
                        let status = length == 11 ? JUNCTION_WIRE_BAD_VARINT : JUNCTION_WIRE_TRUNCATED
                        #expect(check(event, head + cut)
                                == Outcome(status: status, offset: 3, message: "junction.v1.Event", field: name, number: UInt32(field)),
                                "\(cut)")
                    }
                }
            }
        }
    }

    @Test func fieldNumbersAndWireTypes() {
        func failure(_ status: junction_wire_status, at offset: Int, _ field: String? = nil, _ number: UInt32 = 0) -> Outcome {
            Outcome(status: status, offset: offset, message: "junction.v1.Event", field: field, number: number)
        }
        #expect(check(event, tag(0, 0) + [0x01]) == failure(JUNCTION_WIRE_ZERO_FIELD, at: 0))
        #expect(check(event, tag(0x2000_0000, 0) + [0x01]) == failure(JUNCTION_WIRE_ZERO_FIELD, at: 0))
        #expect(check(event, varint(UInt64.max) + [0x01]) == failure(JUNCTION_WIRE_ZERO_FIELD, at: 0))
        #expect(check(event, tag(0x1FFF_FFFF, 0) + [0x01]) == .ok)
        // Wire types 3, 4 (groups), 6 and 7: refused on unknown fields, a mismatch on known ones.
        for wire: UInt64 in [3, 4, 6, 7] {
            #expect(check(event, tag(99, wire) + [0x01]) == failure(JUNCTION_WIRE_BAD_WIRE_TYPE, at: 0, nil, 99))
            #expect(check(event, tag(2, wire) + [0x01]) == failure(JUNCTION_WIRE_TYPE_MISMATCH, at: 0, "source", 2))
        }
        // Packed encoding of a repeated scalar is accepted (Ack.delivery_ids).
        let ack = nested(clientFrame, 4)
        let fields = UnsafeBufferPointer(start: ack.pointee.fields, count: Int(ack.pointee.n_fields))
        if let repeated = fields.first(where: { $0.label == PROTOBUF_C_LABEL_REPEATED && wireType(of: $0.type) != 2 }) {
            #expect(check(ack, lengthDelimited(UInt64(repeated.id), [0x01, 0x96, 0x01])) == .ok)
            #expect(check(ack, tag(UInt64(repeated.id), 0) + [0x05]) == .ok)
        } else {
            Issue.record("Ack has no repeated scalar field")
        }
        // Singular scalars are not packed.
        #expect(check(event, lengthDelimited(4, [0x01])) == failure(JUNCTION_WIRE_TYPE_MISMATCH, at: 0, "time_unix_nanos", 4))
    }

    @Test func fieldsOutOfOrderAndUnknownFields() {
        let entry = lengthDelimited(2, Array("v".utf8)) + lengthDelimited(1, Array("k".utf8))
        let schema = tag(2, 0) + [0x03] + lengthDelimited(1, Array("orders".utf8))
        var bytes = tag(13, 0) + [0x07]
        bytes += lengthDelimited(12, entry)
        bytes += lengthDelimited(2, Array("com.example".utf8))
        bytes += tag(14, 0) + [0x01]                         // one past the last field
        bytes += lengthDelimited(1, Array("id".utf8))
        bytes += lengthDelimited(9, schema)
        bytes += lengthDelimited(1000, [0x00, 0xFF])           // unknown: not a string, not checked
        bytes += lengthDelimited(3, Array("T".utf8))
        bytes += tag(10, 0) + [0x01]
        bytes += tag(4, 0) + varint(1_700_000_000_000_000_000)
        #expect(check(event, bytes) == .ok)
        // The same fields after them, with a wrong wire type, are still found.
        #expect(check(event, bytes + tag(3, 0) + [0x01])
                == Outcome(status: JUNCTION_WIRE_TYPE_MISMATCH, offset: bytes.count, message: "junction.v1.Event",
                           field: "detail_type", number: 3))
        #expect(check(event, bytes + tag(12, 5) + [0, 0, 0, 0])
                == Outcome(status: JUNCTION_WIRE_TYPE_MISMATCH, offset: bytes.count, message: "junction.v1.Event",
                           field: "attributes", number: 12))
    }

    /// Every field of every message the gateway reads is found by number:
    /// a wrong wire type on it names it.
    @Test func everyFieldOfEveryDescriptorIsFound() {
        let all = reachable(from: [junction_client_frame_descriptor(), junction_server_frame_descriptor()])
        #expect(all.count > 20)
        for d in all {
            let name = String(cString: d.pointee.name)
            var prefix: [UInt8] = []
            for f in UnsafeBufferPointer(start: d.pointee.fields, count: Int(d.pointee.n_fields)).reversed() {
                let wrong: UInt64 = wireType(of: f.type) == 5 ? 1 : 5
                let got = check(d, prefix + tag(UInt64(f.id), wrong) + [0, 0, 0, 0, 0, 0, 0, 0])
                #expect(got == Outcome(status: JUNCTION_WIRE_TYPE_MISMATCH, offset: prefix.count, message: name,
                                       field: String(cString: f.name), number: f.id))
                // Unknown numbers around the descriptor's are skipped.
                prefix += tag(UInt64(f.id) + 1000, 0) + [0x01]
            }
            #expect(check(d, prefix + tag(UInt64(d.pointee.n_fields) + 1, 5) + [0, 0, 0, 0]) == .ok)
        }
    }

    /// The lookup relies on protoc-c's order of fields (by number).
    @Test func descriptorsListFieldsByNumber() {
        for d in reachable(from: [junction_client_frame_descriptor(), junction_server_frame_descriptor()]) {
            let ids = UnsafeBufferPointer(start: d.pointee.fields, count: Int(d.pointee.n_fields)).map(\.id)
            #expect(ids == ids.sorted() && Set(ids).count == ids.count, "\(String(cString: d.pointee.name)): \(ids)")
        }
    }

    /// A descriptor with gaps in its numbers (none of the gateway's has any):
    /// the lookup falls back to searching.
    @Test func descriptorWithGapsInItsFieldNumbers() {
        let specs: [(String, UInt32, ProtobufCType)] = [
            ("a", 1, PROTOBUF_C_TYPE_STRING), ("c", 3, PROTOBUF_C_TYPE_INT32), ("d", 4, PROTOBUF_C_TYPE_STRING),
            ("j", 10, PROTOBUF_C_TYPE_STRING), ("f", 200, PROTOBUF_C_TYPE_FIXED32), ("b", 70000, PROTOBUF_C_TYPE_BYTES),
        ]
        func cString(_ s: String) -> UnsafeMutablePointer<CChar> {
            let utf8 = Array(s.utf8CString)
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
            p.initialize(from: utf8, count: utf8.count)
            return p
        }
        let names = specs.map { cString($0.0) }
        let messageName = cString("test.Gaps")
        let fields = UnsafeMutablePointer<ProtobufCFieldDescriptor>.allocate(capacity: specs.count)
        defer {
            fields.deallocate()
            names.forEach { $0.deallocate() }
            messageName.deallocate()
        }
        for (i, spec) in specs.enumerated() {
            var f = ProtobufCFieldDescriptor()
            f.name = UnsafePointer(names[i])
            f.id = spec.1
            f.label = PROTOBUF_C_LABEL_NONE
            f.type = spec.2
            (fields + i).initialize(to: f)
        }
        var d = ProtobufCMessageDescriptor()
        d.name = UnsafePointer(messageName)
        d.n_fields = UInt32(specs.count)
        d.fields = UnsafePointer(fields)
        withUnsafePointer(to: &d) { d in
            for (name, number, type) in specs {
                let wrong: UInt64 = wireType(of: type) == 5 ? 0 : 5
                #expect(check(d, tag(UInt64(number), wrong) + [0, 0, 0, 0])
                        == Outcome(status: JUNCTION_WIRE_TYPE_MISMATCH, offset: 0, message: "test.Gaps", field: name, number: number))
            }
            #expect(check(d, lengthDelimited(4, [0x41, 0x00])) == Outcome(status: JUNCTION_WIRE_NUL_IN_STRING, offset: 0,
                                                                         message: "test.Gaps", field: "d", number: 4))
            #expect(check(d, lengthDelimited(10, [0xFF])) == Outcome(status: JUNCTION_WIRE_INVALID_UTF8, offset: 0,
                                                                    message: "test.Gaps", field: "j", number: 10))
            #expect(check(d, lengthDelimited(70000, [0xFF]) + tag(200, 5) + [1, 2, 3, 4] + tag(3, 0) + [0x05]) == .ok)
            for unknown: UInt64 in [2, 5, 6, 9, 11, 199, 201, 69999, 70001] {
                #expect(check(d, tag(unknown, 2) + [0x01, 0xFF]) == .ok)
                #expect(check(d, tag(unknown, 1) + [0, 0]) == Outcome(status: JUNCTION_WIRE_TRUNCATED, offset: 0, message: "test.Gaps",
                                                                       field: nil, number: UInt32(unknown)))
            }
        }
    }

    @Test func nestingDepth() {
        let entry = lengthDelimited(1, Array("k".utf8))
        let ev = lengthDelimited(2, Array("s".utf8)) + lengthDelimited(12, entry)
        let batch = lengthDelimited(2, ev)
        let frame = lengthDelimited(2, batch)
        #expect(check(clientFrame, frame, maxDepth: 3) == .ok)
        // ClientFrame 0, PublishBatch 1, Event 2, AttributesEntry 3.
        let entryStart = frame.count - entry.count
        #expect(check(clientFrame, frame, maxDepth: 2)
                == Outcome(status: JUNCTION_WIRE_TOO_DEEP, offset: entryStart, message: "junction.v1.Event.AttributesEntry"))
    }
}
