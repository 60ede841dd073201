import CJunctionWire
import Foundation
import JunctionClient
import JunctionGateway
import JunctionTLS
import JunctionWire
import NIOCore
import NIOPosix
import Testing

@Suite(.serialized) struct GatewayEndToEndTests {
    func event(_ source: String, _ type: String = "Placed", id: String = "", detail: String = #"{"n":1}"#) -> OutgoingEvent {
        OutgoingEvent(id: id, source: source, detailType: type, detail: Array(detail.utf8))
    }

    /// `publishEncoded` answers with a summary read from PublishAck's
    /// `accepted` count, and falls back to a full decode when some event was
    /// rejected.
    @Test func encodedPublishesAreSummarised() async throws {
        let harness = try await GatewayHarness.start()
        let publisher = try await harness.connect()
        func send(_ events: [OutgoingEvent]) async throws -> PublishAckSummary {
            let id = publisher.reserveBatchID()
            let frame = PublishBatchFrame(batchID: id, events: events)
            var buffer = publisher.allocator.buffer(capacity: frame.frameSize)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: frame.frameSize) { frame.writeFrame(into: $0) }
            return try await publisher.publishEncoded(buffer, batchID: id).get()
        }
        let good = try await send([event("orders"), event("orders"), event("orders")])
        #expect(good.accepted == 3 && good.rejected == 0)
        let mixed = try await send([event("orders"), event(""), event("orders")])
        #expect(mixed.accepted == 2 && mixed.rejected == 1)
        #expect(mixed.firstRejection?.code == .invalidEvent)
        await publisher.close()
        await harness.stop()
    }

    /// `publishEncodedOnLoop`: several batches in one buffer, one callback
    /// for all, answered per batch and in order; after the connection ends,
    /// every batch is answered with the error.
    @Test func batchesQueuedOnTheLoopAreAnsweredInOrder() async throws {
        let harness = try await GatewayHarness.start()
        // A group of our own: it outlives the connection, for the last part.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let tls = harness.certificates.map { TLSConfiguration.client(serverName: "localhost", trustedCAFile: $0.caCertificateFile) }
        let publisher = try await JunctionConnection.connect(host: "127.0.0.1", port: harness.gateway.port, tls: tls,
                                                             token: GatewayHarness.token, eventLoopGroup: group)
        let batches = [[event("orders"), event("orders")], [event("orders"), event(""), event("orders")], [event("orders")]]
        func send() -> EventLoopFuture<[Result<PublishAckSummary, Error>]> {
            let loop = publisher.eventLoop
            return loop.submit {
                let first = publisher.reserveBatchIDs(batches.count)
                var buffer = publisher.allocator.buffer(capacity: 1024)
                for (i, events) in batches.enumerated() {
                    let frame = PublishBatchFrame(batchID: first + UInt64(i), events: events)
                    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: frame.frameSize) { frame.writeFrame(into: $0) }
                }
                let answers = NIOLoopBoundBox([Result<PublishAckSummary, Error>](), eventLoop: loop)
                let done = loop.makePromise(of: [Result<PublishAckSummary, Error>].self)
                publisher.publishEncodedOnLoop(buffer, firstBatchID: first, count: batches.count) { result in
                    answers.value.append(result)
                    if answers.value.count == batches.count { done.succeed(answers.value) }
                }
                publisher.flush()
                return done.futureResult
            }.flatMap { $0 }
        }
        let answers = try await send().get().map { try $0.get() }
        #expect(answers.map(\.batchID) == [answers[0].batchID, answers[0].batchID + 1, answers[0].batchID + 2])
        #expect(answers.map(\.accepted) == [2, 2, 1] && answers.map(\.rejected) == [0, 1, 0])
        #expect(answers[1].firstRejection?.message == "source: required, is empty")

        await publisher.close()
        let failed = try await send().get()
        #expect(failed.count == 3)
        for result in failed {
            guard case .failure = result else { Issue.record("a batch sent on a closed connection succeeded"); continue }
        }
        await harness.stop()
        try await group.shutdownGracefully()
    }

    @Test func publishToSubscriberWithStampedFields() async throws {
        let harness = try await GatewayHarness.start()
        let subscriber = try await harness.connect(token: GatewayHarness.otherToken)
        let publisher = try await harness.connect()
        #expect(publisher.server.account == "acct-test")
        let subscription = try await subscriber.subscribe(pattern: #"{"source":["orders"]}"#, credits: 100)

        var spoofed = event("orders", id: "given-id")
        spoofed.attributes = [(key: "traceparent", value: "00-abc-def-01")]
        let results = try await publisher.publish([spoofed, event("other"), event("orders")])
        #expect(results.map(\.code) == [.accepted, .accepted, .accepted])
        #expect(results[0].id == "given-id")
        #expect(results[2].id.count == 36, "a generated UUIDv7-style id")
        #expect(results[0].position > 0 && results[1].position == results[0].position + 1)

        let got = try await collect(subscription, count: 2)
        #expect(got.count == 2)
        #expect(got.map(\.event.id) == ["given-id", results[2].id])
        let first = got[0].event
        #expect(first.account == "acct-test", "account comes from the token, never the client")
        #expect(first.bus == "default")
        #expect(first.position == results[0].position)
        #expect(first.timeUnixNanos > 1_700_000_000_000_000_000)
        #expect(first.attributes == ["traceparent": "00-abc-def-01"])
        #expect(first.detail == Array(#"{"n":1}"#.utf8))
        #expect(got[0].attempt == 1 && got[1].deliveryID == got[0].deliveryID + 1)
        await publisher.close()
        await subscriber.close()
        await harness.stop()
    }

    @Test func patternsRouteOnEnvelopeAndDetail() async throws {
        let harness = try await GatewayHarness.start()
        let connection = try await harness.connect()
        let big = try await connection.subscribe(
            pattern: #"{"source":[{"prefix":"com.example."}],"detail":{"amount":[{"numeric":[">",100]}]}}"#, credits: 10)
        let timed = try await connection.subscribe(pattern: #"{"time":[{"prefix":"20"}],"account":["acct-test"]}"#, credits: 10)
        var withResources = event("com.example.orders", id: "resources", detail: #"{"amount":1}"#)
        withResources.resources = ["arn:aws:a", "arn:aws:b"]
        let onResource = try await connection.subscribe(pattern: #"{"resources":["arn:aws:b"]}"#, credits: 10)
        _ = try await connection.publish([
            withResources,
            event("com.example.orders", detail: #"{"amount":50}"#),
            event("com.example.orders", id: "big", detail: #"{"amount":150.5}"#),
            event("org.other", detail: #"{"amount":500}"#),
            event("com.example.orders", id: "not-json", detail: "amount=500"),
        ])
        #expect(try await collect(big, count: 1).map(\.event.id) == ["big"])
        #expect(try await collect(timed, count: 5).count == 5)
        #expect(try await collect(onResource, count: 1).map(\.event.id) == ["resources"])
        await #expect(throws: JunctionClientError.self) {
            try await connection.subscribe(pattern: #"{"detail":{"amount":[{"numeric":[">"]}]}}"#)
        }
        await connection.close()
        await harness.stop()
    }

    @Test func fieldsNoRuleMentionsAreSkipped() async throws {
        // Resources (an array no rule looks at) come before the detail: the
        // matcher must leave the array before it reads the detail.
        let harness = try await GatewayHarness.start()
        let connection = try await harness.connect()
        let onDetail = try await connection.subscribe(pattern: #"{"detail":{"amount":[1]}}"#, bus: "payments", credits: 10)
        var e = event("s", id: "with-resources", detail: #"{"amount":1}"#)
        e.resources = ["arn:aws:a"]
        #expect(try await connection.publish([e], bus: "payments").first?.accepted == true)
        #expect(try await collect(onDetail, count: 1).map(\.event.id) == ["with-resources"])
        await connection.close()
        await harness.stop()
    }

    @Test func badEventIsRejectedAndTheRestOfTheBatchGoesOn() async throws {
        let harness = try await GatewayHarness.start()
        let publisher = try await harness.connect()
        var unknownBus = event("s")
        unknownBus.bus = "nope"
        let tooMany = OutgoingEvent(source: "s", detailType: "t", resources: Array(repeating: "r", count: 65))
        let results = try await publisher.publish([event("a"), event(""), unknownBus, tooMany, event("b", "")])
        #expect(results.map(\.code) == [.accepted, .invalidEvent, .unknownBus, .invalidEvent, .invalidEvent])
        #expect(results[1].message == "source: required, is empty")
        #expect(results[2].message.contains("\"nope\""))
        #expect(results[3].message.contains("resources"))
        #expect(results[4].message.contains("detail_type"))
        await publisher.close()
        await harness.stop()
    }

    @Test func creditsBoundDeliveries() async throws {
        let harness = try await GatewayHarness.start()
        let subscriber = try await harness.connect()
        let publisher = try await harness.connect()
        let received = ReceivedCounter()
        let id = try await subscriber.subscribeRaw(credits: 5, onDeliveries: { received.add($0.pointee.n_deliveries) }, onEnd: { _ in })
        _ = try await publisher.publish((0..<20).map { event("s\($0)") })
        try await Task.sleep(for: .milliseconds(300))
        #expect(received.value == 5)
        subscriber.grant(subscriptionID: id, credits: 10)
        try await Task.sleep(for: .milliseconds(300))
        #expect(received.value == 15)
        subscriber.grant(subscriptionID: id, credits: 100)
        try await Task.sleep(for: .milliseconds(300))
        #expect(received.value == 20)
        await publisher.close()
        await subscriber.close()
        await harness.stop()
    }

    @Test func waitingEventsDoNotPinTheirFrames() async throws {
        // Two small matching events in a large frame wait for credits: they
        // are copied out of the frame, and must arrive intact.
        let harness = try await GatewayHarness.start()
        let connection = try await harness.connect()
        let subscription = try await connection.subscribe(pattern: #"{"source":["wanted"]}"#, credits: 0)
        var events = (0..<50).map { event("other-\($0)", detail: #"{"pad":"\#(String(repeating: "p", count: 2000))"}"#) }
        events[10] = event("wanted", id: "w1", detail: #"{"n":1}"#)
        events[40] = event("wanted", id: "w2", detail: #"{"n":2}"#)
        let results = try await connection.publish(events)
        try await Task.sleep(for: .milliseconds(100))
        connection.grant(subscriptionID: subscription.id, credits: 10)
        let got = try await collect(subscription, count: 2)
        #expect(got.map(\.event.id) == ["w1", "w2"])
        #expect(got.map(\.event.detail) == [Array(#"{"n":1}"#.utf8), Array(#"{"n":2}"#.utf8)])
        #expect(got.map(\.event.position) == [results[10].position, results[40].position])
        #expect(got.allSatisfy { $0.event.account == "acct-test" && $0.event.bus == "default" })
        await connection.close()
        await harness.stop()
    }

    @Test func busesAreSeparate() async throws {
        let harness = try await GatewayHarness.start()
        let connection = try await harness.connect()
        let payments = try await connection.subscribe(bus: "payments", credits: 10)
        _ = try await connection.publish([event("on-default")])
        _ = try await connection.publish([event("on-payments")], bus: "payments")
        let got = try await collect(payments, count: 1)
        #expect(got.map(\.event.source) == ["on-payments"])
        #expect(got.first?.event.bus == "payments")
        await #expect(throws: JunctionClientError.self) { try await connection.subscribe(bus: "missing") }
        await connection.close()
        await harness.stop()
    }

    @Test func clientCertificateAuthenticatesWithoutAToken() async throws {
        let harness = try await GatewayHarness.start { config in
            config.certificateAccounts = ["reader-1": "acct-cert"]
        }
        // Trust the development CA for client certificates too.
        let dev = harness.certificates!
        var serverTLS = harness.gateway.configuration.tls!
        serverTLS.trustedCAFile = dev.caCertificateFile
        await harness.gateway.shutdown()
        var configuration = harness.gateway.configuration
        configuration.tls = serverTLS
        configuration.port = 0
        let gateway = try Gateway(configuration: configuration)
        try await gateway.start()
        let certFile = harness.directory + "/client.pem", keyFile = harness.directory + "/client-key.pem"
        try dev.issueClientCertificate(commonName: "reader-1", certificateFile: certFile, privateKeyFile: keyFile)
        var clientTLS = TLSConfiguration.client(serverName: "localhost", trustedCAFile: dev.caCertificateFile)
        clientTLS.certificateChainFile = certFile
        clientTLS.privateKeyFile = keyFile
        let connection = try await JunctionConnection.connect(host: "127.0.0.1", port: gateway.port, tls: clientTLS, token: "")
        #expect(connection.server.account == "acct-cert")
        #expect(try await connection.publish([event("cert")]).first?.accepted == true)
        await connection.close()
        // Without a certificate, an empty token is refused.
        do {
            _ = try await JunctionConnection.connect(host: "127.0.0.1", port: gateway.port,
                                                     tls: .client(serverName: "localhost", trustedCAFile: dev.caCertificateFile), token: "")
            Issue.record("connected without token or certificate")
        } catch let error as JunctionClientError {
            #expect(error.kind == .server(.unauthenticated))
        }
        await gateway.shutdown()
        try? FileManager.default.removeItem(atPath: harness.directory)
    }

    @Test func wrongTokenIsRefused() async throws {
        let harness = try await GatewayHarness.start()
        do {
            _ = try await harness.connect(token: "wrong")
            Issue.record("connected with a wrong token")
        } catch let error as JunctionClientError {
            #expect(error.kind == .server(.unauthenticated))
        }
        await harness.stop()
    }

    @Test func malformedFrameClosesOnlyThatConnection() async throws {
        let harness = try await GatewayHarness.start(tls: false)
        let healthy = try await harness.connect()
        let raw = try RawSocket(port: harness.gateway.port)
        raw.send(HelloFrame(token: GatewayHarness.token).frameBytes())
        raw.send([0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF])  // a frame whose body is not a ClientFrame
        let (bytes, closed) = raw.readUntilClosed()
        #expect(closed)
        let error = try lastServerFrame(bytes)
        #expect(error.frame_case == JUNCTION__V1__SERVER_FRAME__FRAME_ERROR)
        #expect(error.error.pointee.code == JUNCTION__V1__ERROR_CODE__ERROR_MALFORMED_FRAME)
        #expect(error.error.pointee.fatal != 0)
        // The other connection is unaffected.
        let results = try await healthy.publish([event("still-fine")])
        #expect(results.first?.accepted == true)
        await healthy.close()
        await harness.stop()
    }

    @Test func framesSplitAcrossReadsAreReassembled() async throws {
        let harness = try await GatewayHarness.start(tls: false)
        let raw = try RawSocket(port: harness.gateway.port)
        var bytes = HelloFrame(token: GatewayHarness.token).frameBytes()
        for batch in 1...3 {
            bytes += PublishBatchFrame(batchID: UInt64(batch), events: [event("split-\(batch)"), event("x")]).frameBytes()
        }
        bytes += CloseFrame(reason: "done").frameBytes()
        // 1 to 7 bytes at a time, so headers and bodies both straddle reads.
        var offset = 0
        var step = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            raw.send(Array(bytes[offset..<end]))
            offset = end
            step = step % 7 + 1
            usleep(300)
        }
        let (answer, closed) = raw.readUntilClosed()
        #expect(closed)
        // Welcome, three acks with two accepted events each, Closing.
        let frames = try serverFrames(answer)
        #expect(frames.map(\.frame_case) == [
            JUNCTION__V1__SERVER_FRAME__FRAME_WELCOME, JUNCTION__V1__SERVER_FRAME__FRAME_PUBLISH_ACK,
            JUNCTION__V1__SERVER_FRAME__FRAME_PUBLISH_ACK, JUNCTION__V1__SERVER_FRAME__FRAME_PUBLISH_ACK,
            JUNCTION__V1__SERVER_FRAME__FRAME_CLOSING,
        ])
        #expect(frames.dropFirst().prefix(3).map { $0.publish_ack.pointee.accepted } == [2, 2, 2])
        await harness.stop()
    }

    @Test func publishFrameWithAnotherFieldFirstGetsItsOwnArena() async throws {
        // An empty Ping member, then the publish member (protobuf keeps the
        // last oneof member): the events must not live in the control arena.
        let harness = try await GatewayHarness.start(tls: false)
        let raw = try RawSocket(port: harness.gateway.port)
        raw.send(HelloFrame(token: GatewayHarness.token).frameBytes())
        let events = (0..<40).map { event("s\($0)", detail: String(repeating: "x", count: 60)) }
        let publish = Array(PublishBatchFrame(batchID: 1, events: events).frameBytes().dropFirst(5))
        let body: [UInt8] = [0x42, 0x00] + publish
        let header: [UInt8] = [0, UInt8(body.count >> 24 & 0xFF), UInt8(body.count >> 16 & 0xFF), UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF)]
        raw.send(header + body + PingFrame(nonce: 9).frameBytes() + CloseFrame().frameBytes())
        let (bytes, closed) = raw.readUntilClosed()
        #expect(closed)
        let accepted = try serverFrames(bytes).filter { $0.frame_case == JUNCTION__V1__SERVER_FRAME__FRAME_PUBLISH_ACK }
            .reduce(0) { $0 + $1.publish_ack.pointee.accepted }
        #expect(accepted == 40)
        await harness.stop()
    }

    @Test func burstOfFramesBeyondTheInFlightLimitIsAllAnswered() async throws {
        // Plaintext: NIO delivers several reads while reads are withheld.
        let harness = try await GatewayHarness.start(tls: false) { $0.limits.maxInFlightBatches = 4 }
        let raw = try RawSocket(port: harness.gateway.port)
        var bytes = HelloFrame(token: GatewayHarness.token).frameBytes()
        for i in 1...300 { bytes += PublishBatchFrame(batchID: UInt64(i), events: [event("b\(i)")]).frameBytes() }
        bytes += CloseFrame().frameBytes()
        raw.send(bytes)
        let (answer, closed) = raw.readUntilClosed()
        #expect(closed)
        let acks = try serverFrames(answer).filter { $0.frame_case == JUNCTION__V1__SERVER_FRAME__FRAME_PUBLISH_ACK }.count
        #expect(acks == 300)
        await harness.stop()
    }

    @Test func oversizeFrameIsRefusedFromItsHeader() async throws {
        let harness = try await GatewayHarness.start(tls: false) { $0.limits.maxFrameBytes = 1024 }
        let raw = try RawSocket(port: harness.gateway.port)
        raw.send(HelloFrame(token: GatewayHarness.token).frameBytes())
        raw.send([0, 0, 0x10, 0, 0])  // announces 1 MiB; no body follows
        let (bytes, closed) = raw.readUntilClosed()
        #expect(closed)
        let error = try lastServerFrame(bytes)
        #expect(error.error.pointee.code == JUNCTION__V1__ERROR_CODE__ERROR_FRAME_TOO_LARGE)
        #expect(String(cString: error.error.pointee.message).contains("1048576"))
        await harness.stop()
    }

    @Test func firstFrameMustBeHello() async throws {
        let harness = try await GatewayHarness.start(tls: false)
        let raw = try RawSocket(port: harness.gateway.port)
        raw.send(PingFrame(nonce: 1).frameBytes())
        let (bytes, closed) = raw.readUntilClosed()
        #expect(closed)
        #expect(try lastServerFrame(bytes).error.pointee.code == JUNCTION__V1__ERROR_CODE__ERROR_HELLO_REQUIRED)
        await harness.stop()
    }

    @Test func plaintextOnTheTLSPortIsClosed() async throws {
        let harness = try await GatewayHarness.start()
        let raw = try RawSocket(port: harness.gateway.port)
        raw.send(HelloFrame(token: GatewayHarness.token).frameBytes())
        let (_, closed) = raw.readUntilClosed()
        #expect(closed)
        let fine = try await harness.connect()
        #expect(try await fine.publish([event("x")]).first?.accepted == true)
        await fine.close()
        await harness.stop()
    }

    @Test func slowEphemeralSubscriberIsToldWhatItMissed() async throws {
        let harness = try await GatewayHarness.start { $0.limits.subscriptionQueueLimit = 10 }
        let subscriber = try await harness.connect()
        let publisher = try await harness.connect()
        let received = ReceivedCounter()
        let id = try await subscriber.subscribeRaw(credits: 0, onDeliveries: { received.add($0.pointee.n_deliveries) }, onEnd: { _ in })
        _ = try await publisher.publish((0..<50).map { event("s\($0)") })
        try await Task.sleep(for: .milliseconds(200))
        subscriber.grant(subscriptionID: id, credits: 100)
        try await Task.sleep(for: .milliseconds(300))
        #expect(received.value == 10, "the queue holds the newest 10; 40 were reported missed")
        await publisher.close()
        await subscriber.close()
        await harness.stop()
    }

    @Test func pipelinedBatchesAreAckedInOrder() async throws {
        let harness = try await GatewayHarness.start()
        let publisher = try await harness.connect()
        let futures = (0..<200).map { i in publisher.publishFuture([event("p", id: "e\(i)")]) }
        var positions: [UInt64] = []
        for (i, f) in futures.enumerated() {
            let r = try await f.get()
            #expect(r.first?.id == "e\(i)")
            positions.append(r.first?.position ?? 0)
        }
        #expect(positions == positions.sorted())
        await publisher.close()
        await harness.stop()
    }

    /// Pipelined batches reach the worker together (in the debug build the
    /// worker is slow enough that they always do): their stamped suffixes
    /// share buffers, several chunks of `stampChunkBytes` here, and one
    /// connection's acks share one write. Every batch still gets its own
    /// ack, and every delivery the id, account and position that ack gave;
    /// a batch whose events are all rejected, in the middle, stamps nothing.
    @Test func batchesProcessedTogetherAreAckedAndStampedEach() async throws {
        let harness = try await GatewayHarness.start()
        let subscriber = try await harness.connect(token: GatewayHarness.otherToken)
        let publisher = try await harness.connect()
        let subscription = try await subscriber.subscribe(pattern: #"{"source":["together"]}"#, credits: 5000)
        let longID = String(repeating: "x", count: 120)  // longer than the ack's room per event
        let batches = (0..<40).map { b in
            (0..<100).map { i -> OutgoingEvent in
                if b == 20 { return event("", id: "rejected-\(b)-\(i)") }
                return switch i % 10 {
                case 0: event("", id: "rejected-\(b)-\(i)")
                case 1: event("together", id: "\(longID)-\(b)-\(i)".suffix(128).description)
                default: event("together")  // the gateway generates the id
                }
            }
        }
        let futures = batches.map { publisher.publishFuture($0) }
        var byPosition: [UInt64: PublishResult] = [:]
        for (b, future) in futures.enumerated() {
            let results = try await future.get()
            try #require(results.count == 100)
            for (i, r) in results.enumerated() {
                switch b == 20 ? 0 : i % 10 {
                case 0:
                    #expect(r.code == .invalidEvent && r.id == "rejected-\(b)-\(i)" && r.position == 0)
                case 1:
                    #expect(r.accepted && r.id == "\(longID)-\(b)-\(i)".suffix(128).description)
                default:
                    #expect(r.accepted && r.id.count == 36)
                }
                if r.accepted { byPosition[r.position] = r }
            }
        }
        #expect(byPosition.count == 39 * 90)
        #expect(Set(byPosition.values.map(\.id)).count == 39 * 90, "every id its own")
        let got = try await collect(subscription, count: 39 * 90, seconds: 20)
        #expect(got.count == 39 * 90)
        for d in got {
            #expect(byPosition[d.event.position]?.id == d.event.id)
            #expect(d.event.account == "acct-test" && d.event.bus == "default")
        }
        await publisher.close()
        await subscriber.close()
        await harness.stop()
    }

    /// Two connections' batches processed in one group (bursts sent at
    /// once fill the ring faster than the debug-built worker drains it):
    /// each connection gets exactly its own acks, in order.
    @Test func acksOfConnectionsSharingAGroupGoToTheirOwn() async throws {
        let harness = try await GatewayHarness.start(tls: false) { $0.limits.maxInFlightBatches = 256 }
        let sockets = try (0..<2).map { _ in try RawSocket(port: harness.gateway.port) }
        let tags = ["a", "b"]
        let bursts = (0..<2).map { c in
            var bytes = HelloFrame(token: GatewayHarness.token).frameBytes()
            for i in 1...300 {
                let events = (0...c).map { k in event("p", id: "\(tags[c])-\(i)-\(k)") }
                bytes += PublishBatchFrame(batchID: UInt64(i), events: events).frameBytes()
            }
            return bytes + CloseFrame().frameBytes()
        }
        sockets[0].send(bursts[0])
        sockets[1].send(bursts[1])
        for c in 0..<2 {
            let (answer, closed) = sockets[c].readUntilClosed()
            #expect(closed)
            let acks = try serverFrames(answer).filter { $0.frame_case == JUNCTION__V1__SERVER_FRAME__FRAME_PUBLISH_ACK }
            try #require(acks.count == 300)
            for (n, frame) in acks.enumerated() {
                let ack = frame.publish_ack.pointee
                #expect(ack.batch_id == UInt64(n + 1) && ack.accepted == UInt32(c + 1) && ack.n_results == c + 1)
                for k in 0..<min(ack.n_results, c + 1) {
                    #expect(String(cString: ack.results[k]!.pointee.id) == "\(tags[c])-\(n + 1)-\(k)")
                }
            }
        }
        await harness.stop()
    }

    @Test func shutdownAnswersInFlightPublishes() async throws {
        let harness = try await GatewayHarness.start()
        let publisher = try await harness.connect()
        let futures = (0..<50).map { i in publisher.publishFuture((0..<20).map { event("s\(i)-\($0)") }) }
        // Shut down while the pipeline is busy: after the first ack, with the
        // other batches sent (whether the gateway read them yet is timing).
        _ = try await futures[0].get()
        await harness.gateway.shutdown()
        var answered = 0
        for f in futures {
            if let r = try? await f.get() { answered += r.count }
        }
        // Every batch the gateway read was answered whole before it closed.
        #expect(answered >= 20)
        #expect(answered % 20 == 0)
        try? FileManager.default.removeItem(atPath: harness.directory)
    }
}

final class ReceivedCounter: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Decodes every complete frame in `bytes` as a ServerFrame.
func serverFrames(_ bytes: [UInt8]) throws -> [Junction__V1__ServerFrame] {
    var frames: [Junction__V1__ServerFrame] = []
    var offset = 0
    while bytes.count - offset >= 5 {
        let length = Int(bytes[offset + 1]) << 24 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4])
        guard bytes.count - offset - 5 >= length else { break }
        let arena = ProtobufArena(capacity: 4096)
        leakedArenas.append(arena)
        let body = Array(bytes[(offset + 5)..<(offset + 5 + length)])
        frames.append(try body.withUnsafeBytes { try FrameDecoder.decodeServerFrame($0, arena: arena) }.pointee)
        offset += 5 + length
    }
    return frames
}

/// Decodes the last frame of `bytes` as a ServerFrame.
func lastServerFrame(_ bytes: [UInt8]) throws -> Junction__V1__ServerFrame {
    guard let last = try serverFrames(bytes).last else { throw WireError(.malformedFrame, "no complete frame in \(bytes.count) bytes") }
    return last
}

/// Arenas of decoded test frames stay alive for the test run.
nonisolated(unsafe) var leakedArenas: [ProtobufArena] = []
