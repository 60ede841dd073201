import CJunctionWire
import Testing
@testable import JunctionWire

/// Every hand-written encoder is checked against protobuf-c's generated
/// decoder, and the decoder's checks against crafted bad bytes.
@Suite struct FrameCodecTests {
    /// Strips the 5-byte header after checking it.
    func body(_ frame: [UInt8]) throws -> [UInt8] {
        let header = try frame.withUnsafeBytes { try FrameHeader.parse($0, maxFrameBytes: 1 << 20) }
        #expect(Int(header.length) == frame.count - 5)
        return Array(frame[5...])
    }

    func decodeClient(_ bytes: [UInt8], arena: ProtobufArena) throws -> UnsafeMutablePointer<Junction__V1__ClientFrame> {
        try bytes.withUnsafeBytes { try FrameDecoder.decodeClientFrame($0, arena: arena) }
    }

    @Test func helloRoundTrip() throws {
        let arena = ProtobufArena(capacity: 4096)
        let frame = try decodeClient(body(HelloFrame(token: "tok-123", clientName: "tests/1").frameBytes()), arena: arena)
        #expect(frame.pointee.frame_case == JUNCTION__V1__CLIENT_FRAME__FRAME_HELLO)
        #expect(String(cString: frame.pointee.hello.pointee.token) == "tok-123")
        #expect(String(cString: frame.pointee.hello.pointee.client_name) == "tests/1")
        #expect(frame.pointee.hello.pointee.protocol_version == 1)
    }

    @Test func publishBatchRoundTripAndEventRanges() throws {
        var events: [OutgoingEvent] = []
        for i in 0..<5 {
            let subject: String = i == 0 ? "" : "order/\(i)"
            let bus: String = i % 2 == 0 ? "" : "payments"
            let time: Int64 = 1_700_000_000_000_000_000 + Int64(i)
            let detail: [UInt8] = Array("{\"amount\":\(i)}".utf8)
            events.append(OutgoingEvent(
                id: "e\(i)", source: "com.example.orders", detailType: "OrderPlaced", timeUnixNanos: time,
                subject: subject, resources: ["arn:a", ""], bus: bus,
                schemaSubject: "orders", schemaVersion: 3, contentType: .json,
                detail: detail, attributes: [(key: "traceparent", value: "00-abc"), (key: "k", value: "v")]))
        }
        let bytes = try body(PublishBatchFrame(batchID: 42, bus: "default", events: events).frameBytes())
        let arena = ProtobufArena(capacity: 1 << 16)
        let frame = try decodeClient(bytes, arena: arena)
        #expect(frame.pointee.frame_case == JUNCTION__V1__CLIENT_FRAME__FRAME_PUBLISH)
        let batch = frame.pointee.publish.pointee
        #expect(batch.batch_id == 42)
        #expect(String(cString: batch.bus) == "default")
        #expect(batch.n_events == 5)
        for i in 0..<5 {
            let e = batch.events[i]!.pointee
            #expect(String(cString: e.id) == "e\(i)")
            #expect(String(cString: e.source) == "com.example.orders")
            #expect(e.time_unix_nanos == 1_700_000_000_000_000_000 + Int64(i))
            #expect(e.n_resources == 2)
            #expect(String(cString: e.resources[1]!) == "")
            #expect(String(cString: e.schema.pointee.subject) == "orders")
            #expect(e.schema.pointee.version == 3)
            #expect(e.content_type == JUNCTION__V1__CONTENT_TYPE__CONTENT_TYPE_JSON)
            #expect(Array(UnsafeBufferPointer(start: e.detail.data, count: e.detail.len)) == Array("{\"amount\":\(i)}".utf8))
            #expect(e.n_attributes == 2)
            #expect(String(cString: e.attributes[0]!.pointee.key) == "traceparent")
        }
        var ranges: [Range<Int>] = []
        try bytes.withUnsafeBytes { try FrameDecoder.publishEventRanges($0, count: 5, into: &ranges) }
        #expect(ranges.count == 5)
        for (i, r) in ranges.enumerated() {
            #expect(Array(bytes[r]) == events[i].encoded())
        }
    }

    @Test func serverFramesRoundTrip() throws {
        let arena = ProtobufArena(capacity: 1 << 16)
        func decode(_ frame: [UInt8]) throws -> Junction__V1__ServerFrame {
            try body(frame).withUnsafeBytes { try FrameDecoder.decodeServerFrame($0, arena: arena) }.pointee
        }
        let welcome = try decode(WelcomeFrame(server: "junction/0.1", account: "acct-a", maxFrameBytes: 4 << 20,
                                              maxBatchEvents: 1000, maxEventBytes: 256 << 10, maxCredits: 10_000,
                                              sessionID: "s1").frameBytes())
        #expect(welcome.frame_case == JUNCTION__V1__SERVER_FRAME__FRAME_WELCOME)
        #expect(String(cString: welcome.welcome.pointee.account) == "acct-a")
        #expect(welcome.welcome.pointee.max_credits == 10_000)

        let ids: [[UInt8]] = [Array("a".utf8), Array("bb".utf8)]
        let ack = try ids[0].withUnsafeBytes { id0 in
            try ids[1].withUnsafeBytes { id1 in
                let outcomes = [
                    EventOutcome(id: id0, position: 7, code: .accepted),
                    EventOutcome(id: id1, position: 0, code: .invalidEvent, message: "source: required, is empty"),
                ]
                return try outcomes.withUnsafeBufferPointer { try decode(PublishAckFrame(batchID: 9, outcomes: $0).frameBytes()) }
            }
        }
        #expect(ack.frame_case == JUNCTION__V1__SERVER_FRAME__FRAME_PUBLISH_ACK)
        let a = ack.publish_ack.pointee
        #expect(a.batch_id == 9 && a.n_results == 2 && a.accepted == 1)
        #expect(a.results[0]!.pointee.position == 7)
        #expect(a.results[1]!.pointee.code == JUNCTION__V1__REJECT_CODE__REJECT_INVALID_EVENT)
        #expect(String(cString: a.results[1]!.pointee.message) == "source: required, is empty")

        // Deliveries: original bytes plus a stamped suffix; the last value wins.
        let original = OutgoingEvent(source: "s", detailType: "t", bus: "", detail: [1, 2, 3]).encoded()
        var suffix = [UInt8](repeating: 0, count: 64)
        let suffixCount = suffix.withUnsafeMutableBytes { raw in
            var w = ProtoWriter(raw)
            w.stringField(7, "acct-b")
            w.stringField(8, "default")
            w.uint64Field(13, 99)
            return w.written(since: raw.baseAddress!)
        }
        let items = [UInt64(5), 6]
        let deliveries = DeliveriesFrame(
            subscriptionID: 3, items: items, deliveryID: { $0 }, attempt: { _ in 1 },
            eventSize: { _ in original.count + suffixCount },
            writeEvent: { _, w in
                original.withUnsafeBytes { w.raw($0) }
                suffix.withUnsafeBytes { w.raw(UnsafeRawBufferPointer(rebasing: $0[..<suffixCount])) }
            })
        let d = try decode(deliveries.frameBytes())
        #expect(d.frame_case == JUNCTION__V1__SERVER_FRAME__FRAME_DELIVERIES)
        #expect(d.deliveries.pointee.subscription_id == 3 && d.deliveries.pointee.n_deliveries == 2)
        let first = d.deliveries.pointee.deliveries[0]!.pointee
        #expect(first.delivery_id == 5 && first.attempt == 1)
        #expect(String(cString: first.event.pointee.account) == "acct-b")
        #expect(String(cString: first.event.pointee.bus) == "default")
        #expect(first.event.pointee.position == 99)
        #expect(first.event.pointee.detail.len == 3)

        let error = try decode(ErrorFrame(WireError(.frameTooLarge, "too big"), fatal: true).frameBytes())
        #expect(error.error.pointee.code == JUNCTION__V1__ERROR_CODE__ERROR_FRAME_TOO_LARGE)
        #expect(error.error.pointee.fatal != 0)
        #expect(try decode(PongFrame(nonce: 0).frameBytes()).frame_case == JUNCTION__V1__SERVER_FRAME__FRAME_PONG)
    }

    @Test func headerChecks() {
        let oversize: [UInt8] = [0, 0, 0x50, 0, 0]  // 5 MiB
        #expect(throws: WireError(.frameTooLarge, "frame length 5242880 exceeds the maximum of 4194304 bytes")) {
            try oversize.withUnsafeBytes { try FrameHeader.parse($0, maxFrameBytes: FrameHeader.defaultMaxFrameBytes) }
        }
        let compressed: [UInt8] = [1, 0, 0, 0, 1]
        #expect(throws: WireError.self) {
            try compressed.withUnsafeBytes { try FrameHeader.parse($0, maxFrameBytes: 100) }
        }
    }

    @Test func rejectsInvalidUTF8WithFieldName() throws {
        var bytes = try body(PublishBatchFrame(batchID: 1, events: [OutgoingEvent(source: "abc", detailType: "t")]).frameBytes())
        // Corrupt the "abc" of source into an invalid UTF-8 byte.
        let i = bytes.firstIndex(of: UInt8(ascii: "a"))!
        bytes[i] = 0xC3
        bytes[i + 1] = 0x28
        let arena = ProtobufArena(capacity: 4096)
        do {
            _ = try decodeClient(bytes, arena: arena)
            Issue.record("invalid UTF-8 was accepted")
        } catch let error as WireError {
            #expect(error.code == .invalidUTF8)
            #expect(error.message.contains("junction.v1.Event.source"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func rejectsTruncatedAndGarbage() {
        let arena = ProtobufArena(capacity: 4096)
        let good = HelloFrame(token: "abcdef").frameBytes()
        let truncated = Array(good[5..<(good.count - 2)])
        #expect(throws: WireError.self) { try decodeClient(truncated, arena: arena) }
        #expect(throws: WireError.self) { try decodeClient([0xFF, 0xFF, 0xFF], arena: arena) }
        // A well-formed but empty ClientFrame selects nothing.
        #expect(throws: WireError.self) { try decodeClient([], arena: arena) }
        // Wrong wire type for ClientFrame.hello (varint instead of message).
        #expect(throws: WireError.self) { try decodeClient([0x08, 0x01], arena: arena) }
    }

    @Test func utf8Validator() {
        func valid(_ bytes: [UInt8]) -> Bool { junction_utf8_valid(bytes, bytes.count) }
        #expect(valid(Array("héllo wörld, ascii run long enough".utf8)))
        #expect(valid(Array("😀".utf8)))
        #expect(!valid([0xC0, 0x80]))          // overlong NUL
        #expect(!valid([0xED, 0xA0, 0x80]))    // surrogate
        #expect(!valid([0xF4, 0x90, 0x80, 0x80])) // > U+10FFFF
        #expect(!valid([0xE2, 0x82]))          // truncated
    }
}
