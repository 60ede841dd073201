import CJunctionWire
import JunctionWire
import NIOCore

/// Receives for a subscription stream, on the connection's event loop.
enum SubscriptionSink {
    /// Deliveries decoded into `Delivery` values.
    case events(@Sendable (Result<[Delivery], JunctionClientError>) -> Void)
    /// The raw decoded frame (for tools): valid during the call only.
    case raw((UnsafeMutablePointer<Junction__V1__Deliveries>) -> Void, onEnd: (JunctionClientError) -> Void)
    /// The encoded `Deliveries` message, not decoded (for the benchmark,
    /// which reads one field per event): valid during the call only.
    case encoded((UnsafeRawBufferPointer) -> Void, onEnd: (JunctionClientError) -> Void)
}

/// Summary of a PublishAck for callers that do not need every result.
public struct PublishAckSummary: Sendable {
    public var batchID: UInt64
    public var accepted: Int
    public var rejected: Int
    /// The first rejected event's result, if any.
    public var firstRejection: PublishResult?
}

/// The client side of a connection, after TLS: frames in and out, the
/// Hello/Welcome exchange, matching acks to batches, and dispatching
/// deliveries. Confined to its event loop.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum PendingPublish {
        /// Every result (`publish`, `publishFuture`).
        case full(EventLoopPromise<[PublishResult]>)
        /// A summary (`publishEncoded`, `publishEncodedOnLoop`): a callback
        /// that many batches may share, so storing it costs no allocation
        /// per batch.
        case summary(@Sendable (Result<PublishAckSummary, Error>) -> Void)

        func fail(_ error: JunctionClientError) {
            switch self {
            case .full(let p): p.fail(error)
            case .summary(let answer): answer(.failure(error))
            }
        }
    }

    let welcome: EventLoopPromise<ServerInfo>
    let closed: EventLoopPromise<Void>
    private let maxFrameBytes: Int
    private var context: ChannelHandlerContext?
    private var cumulation: ByteBuffer?
    private let arena = ProtobufArena(capacity: 1 << 20)
    private var pending = CircularBuffer<(batchID: UInt64, waiter: PendingPublish)>()
    private var pongs: [UInt64: EventLoopPromise<Void>] = [:]
    private var adminWaiters: [UInt64: EventLoopPromise<AdminReply>] = [:]
    private var subscriptions: [UInt32: SubscriptionSink] = [:]
    private var subscribeWaiters: [UInt32: EventLoopPromise<UInt32>] = [:]
    private var failure: JunctionClientError?
    private var flushScheduled = false

    init(welcome: EventLoopPromise<ServerInfo>, closed: EventLoopPromise<Void>, maxFrameBytes: Int = 64 << 20) {
        self.welcome = welcome
        self.closed = closed
        self.maxFrameBytes = maxFrameBytes
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    // MARK: requests (on the event loop)

    func send<Body: FrameBody>(_ body: Body, flush: Bool = true) -> JunctionClientError? {
        if let failure { return failure }
        guard let context else { return JunctionClientError(.connection, "the connection is closed") }
        var buffer = context.channel.allocator.buffer(capacity: body.frameSize)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: body.frameSize) { body.writeFrame(into: $0) }
        context.write(wrapOutboundOut(buffer), promise: nil)
        if flush { scheduleFlush() }
        return nil
    }

    func sendRaw(_ frame: ByteBuffer, flush: Bool) -> JunctionClientError? {
        if let failure { return failure }
        guard let context else { return JunctionClientError(.connection, "the connection is closed") }
        context.write(wrapOutboundOut(frame), promise: nil)
        if flush { scheduleFlush() }
        return nil
    }

    func flush() { context?.flush() }

    /// Flushes once after the tasks already queued on the loop have run, so
    /// that batches published together (from several tasks, or in reply to
    /// acks read together) leave in one socket write and one TLS pass.
    func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.context?.flush()
        }
    }

    func expectAck(batchID: UInt64, _ waiter: PendingPublish) {
        if let failure { return waiter.fail(failure) }
        pending.append((batchID, waiter))
    }

    func expectPong(nonce: UInt64, _ promise: EventLoopPromise<Void>) {
        if let failure { return promise.fail(failure) }
        pongs[nonce] = promise
    }

    func expectAdminResponse(requestID: UInt64, _ promise: EventLoopPromise<AdminReply>) {
        if let failure { return promise.fail(failure) }
        adminWaiters[requestID] = promise
    }

    func addSubscription(_ id: UInt32, sink: SubscriptionSink, opened: EventLoopPromise<UInt32>) {
        if let failure { return opened.fail(failure) }
        subscriptions[id] = sink
        subscribeWaiters[id] = opened
    }

    func removeSubscription(_ id: UInt32) {
        subscriptions[id] = nil
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var existing = cumulation, existing.readableBytes > 0 {
            // Frames are decoded (copied into the arena) before the next
            // read, so nothing else holds this buffer: drop our other
            // reference and append in place, discarding what was read.
            cumulation = nil
            if existing.readerIndex > 65536 { existing.discardReadBytes() }
            existing.writeBuffer(&incoming)
            cumulation = existing
        } else {
            cumulation = incoming
        }
        while var buffer = cumulation, buffer.readableBytes >= FrameHeader.size, failure == nil {
            let header: FrameHeader
            do {
                header = try buffer.withUnsafeReadableBytes { raw throws(WireError) in try FrameHeader.parse(raw, maxFrameBytes: maxFrameBytes) }
            } catch {
                return failAll(JunctionClientError(.protocolViolation, "server frame: \(error.message)"), close: true)
            }
            guard buffer.readableBytes >= FrameHeader.size + Int(header.length) else { break }
            buffer.moveReaderIndex(forwardBy: FrameHeader.size)
            let body = buffer.readSlice(length: Int(header.length))!
            cumulation = buffer.readableBytes > 0 ? buffer : nil
            handle(body)
        }
    }

    private func handle(_ body: ByteBuffer) {
        if handleEncodedDeliveries(body) || handleAckSummary(body) { return }
        defer { arena.reset() }
        let frame: UnsafeMutablePointer<Junction__V1__ServerFrame>
        do {
            frame = try body.withUnsafeReadableBytes { raw throws(WireError) in try FrameDecoder.decodeServerFrame(raw, arena: arena) }
        } catch {
            return failAll(JunctionClientError(.protocolViolation, "server frame: \(error.message)"), close: true)
        }
        let f = frame.pointee
        switch f.frame_case {
        case JUNCTION__V1__SERVER_FRAME__FRAME_WELCOME:
            welcome.succeed(ServerInfo(f.welcome.pointee))
        case JUNCTION__V1__SERVER_FRAME__FRAME_PUBLISH_ACK:
            handleAck(f.publish_ack.pointee)
        case JUNCTION__V1__SERVER_FRAME__FRAME_SUBSCRIBED:
            let id = f.subscribed.pointee.subscription_id
            subscribeWaiters.removeValue(forKey: id)?.succeed(f.subscribed.pointee.queue_limit)
        case JUNCTION__V1__SERVER_FRAME__FRAME_DELIVERIES:
            let d = f.deliveries
            switch subscriptions[d!.pointee.subscription_id] {
            case .events(let callback):
                var out: [Delivery] = []
                out.reserveCapacity(d!.pointee.n_deliveries)
                for i in 0..<d!.pointee.n_deliveries {
                    let item = d!.pointee.deliveries[i]!.pointee
                    guard let event = item.event else { continue }
                    out.append(Delivery(deliveryID: item.delivery_id, attempt: item.attempt, event: ReceivedEvent(event)))
                }
                callback(.success(out))
            case .raw(let callback, _):
                callback(d!)
            case .encoded, nil:
                break
            }
        case JUNCTION__V1__SERVER_FRAME__FRAME_MISSED:
            break  // surfaced through the server's counters; ephemeral streams may drop
        case JUNCTION__V1__SERVER_FRAME__FRAME_ADMIN_RESPONSE:
            let r = f.admin_response.pointee
            let body = r.body.len > 0 ? Array(UnsafeRawBufferPointer(start: r.body.data, count: r.body.len)) : []
            let error = r.ok != 0 ? nil : WireError(WireError.Code(rawValue: Int32(r.code.rawValue)), r.message.map { String(cString: $0) } ?? "")
            adminWaiters.removeValue(forKey: r.request_id)?.succeed(AdminReply(error: error, body: body))
        case JUNCTION__V1__SERVER_FRAME__FRAME_PONG:
            pongs.removeValue(forKey: f.pong.pointee.nonce)?.succeed()
        case JUNCTION__V1__SERVER_FRAME__FRAME_ERROR:
            let e = f.error.pointee
            let error = JunctionClientError(.server(WireError.Code(rawValue: Int32(e.code.rawValue))), e.message.map { String(cString: $0) } ?? "")
            if e.fatal != 0 {
                failAll(error, close: false)
            } else if e.subscription_id != 0 {
                subscribeWaiters.removeValue(forKey: e.subscription_id)?.fail(error)
                endSubscription(e.subscription_id, error)
            }
        case JUNCTION__V1__SERVER_FRAME__FRAME_UNSUBSCRIBED:
            let id = f.unsubscribed.pointee.subscription_id
            endSubscription(id, JunctionClientError(.connection, "unsubscribed: \(f.unsubscribed.pointee.reason.map { String(cString: $0) } ?? "")"))
        case JUNCTION__V1__SERVER_FRAME__FRAME_CLOSING:
            let reason = f.closing.pointee.reason.map { String(cString: $0) } ?? ""
            failAll(JunctionClientError(.connection, "the server closed the connection: \(reason)"), close: false)
        default:
            break
        }
    }

    private func handleAck(_ ack: Junction__V1__PublishAck) {
        guard let (batchID, waiter) = pending.popFirst() else {
            return failAll(JunctionClientError(.protocolViolation, "PublishAck for batch \(ack.batch_id) that was not sent"), close: true)
        }
        guard batchID == ack.batch_id else {
            return failAll(JunctionClientError(.protocolViolation, "PublishAck for batch \(ack.batch_id), expected \(batchID)"), close: true)
        }
        func result(_ i: Int) -> PublishResult {
            let r = ack.results[i]!.pointee
            return PublishResult(id: r.id.map { String(cString: $0) } ?? "", position: r.position,
                                 code: RejectCode(rawValue: Int32(r.code.rawValue)),
                                 message: r.message.map { String(cString: $0) } ?? "")
        }
        switch waiter {
        case .full(let promise):
            promise.succeed((0..<ack.n_results).map(result))
        case .summary(let answer):
            var summary = PublishAckSummary(batchID: batchID, accepted: Int(ack.accepted), rejected: ack.n_results - Int(ack.accepted))
            if summary.rejected > 0, let i = (0..<ack.n_results).first(where: { ack.results[$0]!.pointee.code.rawValue != 0 }) {
                summary.firstRejection = result(i)
            }
            answer(.success(summary))
        }
    }

    private func endSubscription(_ id: UInt32, _ error: JunctionClientError) {
        switch subscriptions.removeValue(forKey: id) {
        case .events(let callback): callback(.failure(error))
        case .raw(_, let onEnd): onEnd(error)
        case .encoded(_, let onEnd): onEnd(error)
        case nil: break
        }
    }

    /// Answers a `.summary` waiter from a PublishAck by
    /// scanning it, without decoding every result. Returns false when the
    /// frame is something else or the oldest waiter wants every result.
    private func handleAckSummary(_ body: ByteBuffer) -> Bool {
        guard case .summary(let answer)? = pending.first?.waiter, let expected = pending.first?.batchID else { return false }
        let outcome: (UInt64, Int, Int)? = body.withUnsafeReadableBytes { raw in
            // ServerFrame.publish_ack is field 2, length-delimited: tag 0x12.
            guard raw.count > 1, raw[0] == 0x12 else { return nil }
            var frame = WireScanner(raw)
            guard let member = frame.next(), member.field == 2, member.wireType == 2, frame.isAtEnd else { return nil }
            // PublishAck.accepted counts the accepted results: the results
            // themselves need not be opened.
            var ack = WireScanner(member.bytes)
            var batchID: UInt64 = 0
            var results = 0
            var accepted = 0
            while let f = ack.next() {
                switch (f.field, f.wireType) {
                case (1, 0): batchID = f.value
                case (2, 2): results += 1
                case (3, 0): accepted = Int(truncatingIfNeeded: f.value)
                default: break
                }
            }
            // A rejection needs its message: decode the frame fully.
            return accepted == results ? (batchID, accepted, 0) : nil
        }
        guard let (batchID, accepted, rejected) = outcome else { return false }
        guard batchID == expected else { return false }  // the full path reports the mismatch
        pending.removeFirst()
        answer(.success(PublishAckSummary(batchID: batchID, accepted: accepted, rejected: rejected)))
        return true
    }

    /// Hands a Deliveries frame to an `.encoded` sink without decoding it.
    /// Returns false when the frame is something else (decode it normally).
    private func handleEncodedDeliveries(_ body: ByteBuffer) -> Bool {
        body.withUnsafeReadableBytes { raw in
            // ServerFrame.deliveries is field 4, length-delimited: tag 0x22.
            guard raw.count > 2, raw[0] == 0x22 else { return false }
            var reader = WireScanner(raw)
            guard reader.skipTag(), let length = reader.varint(), Int(length) == reader.remaining else { return false }
            let message = UnsafeRawBufferPointer(rebasing: raw[reader.offset...])
            // Deliveries.subscription_id is field 1 (varint), written first.
            var inner = WireScanner(message)
            guard inner.varint() == 0x08, let id = inner.varint(),
                  case .encoded(let callback, _)? = subscriptions[UInt32(truncatingIfNeeded: id)] else { return false }
            callback(message)
            return true
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(JunctionClientError(.connection, "the connection closed"), close: false)
        closed.succeed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(JunctionClientError(.connection, "\(error)"), close: true)
    }

    private func failAll(_ error: JunctionClientError, close: Bool) {
        if failure == nil { failure = error }
        welcome.fail(error)
        while let (_, waiter) = pending.popFirst() { waiter.fail(error) }
        for (_, p) in pongs { p.fail(error) }
        pongs.removeAll()
        for (_, p) in adminWaiters { p.fail(error) }
        adminWaiters.removeAll()
        for (_, p) in subscribeWaiters { p.fail(error) }
        subscribeWaiters.removeAll()
        for id in Array(subscriptions.keys) { endSubscription(id, error) }
        if close { context?.close(promise: nil) }
    }
}

/// The raw answer to an AdminRequest.
struct AdminReply: Sendable {
    var error: WireError?
    var body: [UInt8]
}

/// What the server said in Welcome.
public struct ServerInfo: Sendable, Hashable {
    public var server: String
    public var account: String
    public var maxFrameBytes: Int
    public var maxBatchEvents: Int
    public var maxEventBytes: Int
    public var maxCredits: Int
    public var sessionID: String

    init(_ w: Junction__V1__Welcome) {
        server = w.server.map { String(cString: $0) } ?? ""
        account = w.account.map { String(cString: $0) } ?? ""
        maxFrameBytes = Int(w.max_frame_bytes)
        maxBatchEvents = Int(w.max_batch_events)
        maxEventBytes = Int(w.max_event_bytes)
        maxCredits = Int(w.max_credits)
        sessionID = w.session_id.map { String(cString: $0) } ?? ""
    }
}
