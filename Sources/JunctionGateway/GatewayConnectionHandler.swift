import CJunctionWire
import JunctionRing
import JunctionTLS
import JunctionWire
import Logging
import NIOCore

/// One client connection, after TLS: splits frames, decodes them with
/// protobuf-c, runs the session (Hello first, then publish and subscribe
/// streams), hands publish batches to a pipeline worker and writes what comes
/// back. Confined to its channel's event loop; not Sendable.
///
/// Back-pressure: reads are withheld (the outbound `read` is not passed on)
/// while the worker's ring is full or the connection has
/// `maxInFlightBatches` batches in the pipeline, so a fast producer is slowed
/// at the socket and nothing is dropped or blocked.
final class GatewayConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Session {
        case awaitingHello
        case open(Account)
    }

    private let core: GatewayCore
    private let worker: PipelineWorker<PublishJob>
    private let limits: GatewayConfiguration.Limits
    private var logger: Logger
    private var context: ChannelHandlerContext?
    private var session = Session.awaitingHello
    private var cumulation: ByteBuffer?
    /// Small: control frames are small, and a larger one spills into
    /// chunks that the reset frees, so an idle connection holds 2 KiB here.
    private let controlArena = ProtobufArena(capacity: 2 << 10)
    /// Arenas of publish frames: the pool of this connection's event loop
    /// (first used there, and the handler never leaves it).
    private lazy var arenaPool = ArenaPool.current
    private var ranges: [Range<Int>] = []
    private var streams: [UInt32: (stream: SubscriptionStream, target: SubscriptionTarget)] = [:]
    private var durableStreams: [UInt32: DurableStream] = [:]
    /// Admin requests sent to the pool and not yet answered.
    private var adminInFlight = 0
    private static let maxAdminInFlight = 16

    /// Publish batches submitted and not yet answered.
    private var inFlight = 0
    /// A job the full ring refused; resubmitted when space frees up.
    private var parkedJob: PublishJob?
    /// A `read` arrived while reads were withheld.
    private var pendingRead = false
    /// Set by Close or shutdown: answer what is in flight, then close.
    private var closeReason: String?
    /// A fatal error was sent; input is ignored until the channel closes.
    private var failed = false
    private var flushScheduled = false
    /// The account of the verified client certificate, if it maps to one.
    private var certificateAccount: Account?

    init(core: GatewayCore, worker: PipelineWorker<PublishJob>, logger: Logger) {
        self.core = core
        self.worker = worker
        self.limits = core.configuration.limits
        self.logger = logger
    }

    // MARK: channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        logger[metadataKey: "connection.peer"] = "\(context.remoteAddress.map { "\($0)" } ?? "?")"
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        core.connections.add(self, loop: context.eventLoop)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        for (_, entry) in streams {
            entry.stream.close()
            core.router.remove(entry.target, bus: entry.stream.bus)
        }
        streams.removeAll()
        for (_, stream) in durableStreams { stream.close() }
        durableStreams.removeAll()
        core.connections.remove(self)
        logger.debug("connection closed")
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var incoming = unwrapInboundIn(data)
        if readsWithheld, let waiting = cumulation, waiting.readableBytes > 0 {
            // Without TLS, NIO delivers several reads per readiness event even
            // while we withhold `read`.
            queueBehindWaitingFrames(&incoming)
            return
        }
        if let existing = cumulation, existing.readableBytes > 0 {
            // A frame started in an earlier read: copy just that frame
            // together (slices of the old buffers may be in the pipeline),
            // then go on slicing the new buffer without copying it.
            guard completePartialFrame(with: &incoming, allocator: context.channel.allocator) else { return }
            processFrames()
            guard incoming.readableBytes > 0 else { return }
            if let waiting = cumulation, waiting.readableBytes > 0 {
                // Reads were withheld with frames still waiting.
                queueBehindWaitingFrames(&incoming)
                return
            }
        }
        cumulation = incoming
        processFrames()
    }

    /// Appends `incoming` to the frames waiting in `cumulation` (in place when
    /// nothing else holds that buffer; copy-on-write otherwise).
    private func queueBehindWaitingFrames(_ incoming: inout ByteBuffer) {
        var waiting = cumulation!
        cumulation = nil
        waiting.writeBuffer(&incoming)
        cumulation = waiting
    }

    /// Moves into `cumulation` the bytes of `incoming` that finish its
    /// partial frame. Returns false when `incoming` did not hold enough (all
    /// of it was taken, and more is needed).
    private func completePartialFrame(with incoming: inout ByteBuffer, allocator: ByteBufferAllocator) -> Bool {
        var partial = cumulation!
        cumulation = nil  // so that a buffer of our own is uniquely referenced and grows in place
        if partial.readableBytes < FrameHeader.size {
            let take = min(FrameHeader.size - partial.readableBytes, incoming.readableBytes)
            var header = allocator.buffer(capacity: FrameHeader.size)
            header.writeBuffer(&partial)
            var piece = incoming.readSlice(length: take)!
            header.writeBuffer(&piece)
            partial = header
            cumulation = partial
            if partial.readableBytes < FrameHeader.size { return false }
        }
        let length = Int(partial.getInteger(at: partial.readerIndex + 1, as: UInt32.self)!)
        // An oversize header is refused by processFrames before anything is buffered.
        guard length <= limits.maxFrameBytes else { return true }
        let total = FrameHeader.size + length
        let need = total - partial.readableBytes
        guard need > 0 else {
            cumulation = partial  // the frame is already complete
            return true
        }
        var frame: ByteBuffer
        if partial.readerIndex == 0 && partial.capacity >= total {
            // The buffer made for this frame by an earlier read: append in place.
            frame = partial
        } else {
            frame = allocator.buffer(capacity: total)
            frame.writeBuffer(&partial)
        }
        if incoming.readableBytes < need {
            frame.writeBuffer(&incoming)
            cumulation = frame
            return false
        }
        var rest = incoming.readSlice(length: need)!
        frame.writeBuffer(&rest)
        cumulation = frame
        return true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushNow()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            for (_, entry) in streams { entry.stream.pump() }
            processFrames()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted? = event as? TLSUserEvent,
           let tls = try? context.pipeline.syncOperations.handler(type: NIOTLSHandler.self),
           let identity = tls.peerIdentity {
            certificateAccount = core.account(forCertificate: identity)
            logger[metadataKey: "connection.certificate"] = "\(identity.commonName ?? identity.subject)"
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let wire = error as? WireError {
            fail(wire)
        } else {
            logger.info("connection error, closing", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if readsWithheld {
            pendingRead = true
        } else {
            context.read()
        }
    }

    // MARK: frames

    /// Reads stop while the pipeline is full for this connection, and while
    /// the client does not read what we write (so that acks and pongs for a
    /// client that never reads cannot pile up in memory).
    private var readsWithheld: Bool {
        failed || closeReason != nil || parkedJob != nil || inFlight >= limits.maxInFlightBatches
            || !(context?.channel.isWritable ?? true)
    }

    /// Handles every complete frame in `cumulation` until reads must be withheld.
    private func processFrames() {
        while !readsWithheld, var buffer = cumulation, buffer.readableBytes >= FrameHeader.size {
            let header: FrameHeader
            do {
                header = try buffer.withUnsafeReadableBytes { raw throws(WireError) in
                    try FrameHeader.parse(raw, maxFrameBytes: limits.maxFrameBytes)
                }
            } catch {
                fail(error)
                return
            }
            let length = Int(header.length)
            guard buffer.readableBytes >= FrameHeader.size + length else { break }
            buffer.moveReaderIndex(forwardBy: FrameHeader.size)
            let body = buffer.readSlice(length: length)!
            cumulation = buffer.readableBytes > 0 ? buffer : nil
            handleFrame(body)
        }
        resumeReadingIfPossible()
    }

    private func handleFrame(_ body: ByteBuffer) {
        // A publish frame's decoded events travel with the job, so it gets an
        // arena of its own; every other frame is handled here and now.
        let isPublish = body.readableBytes > 0 && body.getInteger(at: body.readerIndex, as: UInt8.self) == 0x12
        let publishArenaBytes = body.readableBytes * 2 + 2048
        let arena = isPublish ? arenaPool.take(capacity: publishArenaBytes) : controlArena
        defer { if !isPublish { controlArena.reset() } }
        var frame: UnsafeMutablePointer<Junction__V1__ClientFrame>
        do {
            frame = try body.withUnsafeReadableBytes { raw throws(WireError) in
                try FrameDecoder.decodeClientFrame(raw, arena: arena)
            }
        } catch {
            fail(error)
            return
        }
        var kind = frame.pointee.frame_case
        if kind == JUNCTION__V1__CLIENT_FRAME__FRAME_PUBLISH && !isPublish {
            // A publish frame that does not start with its own field (an
            // unknown or repeated field first): its events must live in an
            // arena of their own, not the shared control arena. Decode again.
            let own = arenaPool.take(capacity: publishArenaBytes)
            do {
                frame = try body.withUnsafeReadableBytes { raw throws(WireError) in
                    try FrameDecoder.decodeClientFrame(raw, arena: own)
                }
            } catch {
                fail(error)
                return
            }
            kind = frame.pointee.frame_case
            guard case .open(let account) = session else {
                fail(WireError(.helloRequired, "the first frame must be Hello, got PublishBatch"))
                return
            }
            publish(body: body, arena: own, batch: frame.pointee.publish, account: account)
            return
        }
        guard case .open(let account) = session else {
            guard kind == JUNCTION__V1__CLIENT_FRAME__FRAME_HELLO else {
                fail(WireError(.helloRequired, "the first frame must be Hello, got \(Self.name(of: kind))"))
                return
            }
            hello(frame.pointee.hello.pointee)
            return
        }
        switch kind {
        case JUNCTION__V1__CLIENT_FRAME__FRAME_PUBLISH:
            publish(body: body, arena: arena, batch: frame.pointee.publish, account: account)
        case JUNCTION__V1__CLIENT_FRAME__FRAME_SUBSCRIBE:
            subscribe(frame.pointee.subscribe.pointee)
        case JUNCTION__V1__CLIENT_FRAME__FRAME_CREDIT:
            let credit = frame.pointee.credit.pointee
            if let durable = durableStreams[credit.subscription_id] {
                return durable.grant(Int(min(credit.credits, UInt32(limits.maxCredits))))
            }
            guard let entry = streams[credit.subscription_id] else {
                return requestError(.unknownSubscription, "Credit: no open subscription \(credit.subscription_id)", subscriptionID: credit.subscription_id)
            }
            entry.stream.grant(Int(credit.credits))
        case JUNCTION__V1__CLIENT_FRAME__FRAME_ACK:
            let ack = frame.pointee.ack.pointee
            let id = ack.subscription_id
            if let durable = durableStreams[id] {
                durable.ack(UnsafeBufferPointer(start: ack.delivery_ids, count: ack.n_delivery_ids))
            } else if streams[id] == nil {
                requestError(.unknownSubscription, "Ack: no open subscription \(id)", subscriptionID: id)
            }
        // Ephemeral streams have nothing to redeliver: acks and nacks are
        // accepted and have no effect (see protocol.proto).
        case JUNCTION__V1__CLIENT_FRAME__FRAME_NACK:
            let nack = frame.pointee.nack.pointee
            let id = nack.subscription_id
            if let durable = durableStreams[id] {
                durable.nack(UnsafeBufferPointer(start: nack.delivery_ids, count: nack.n_delivery_ids), delayMilliseconds: nack.delay_ms)
            } else if streams[id] == nil {
                requestError(.unknownSubscription, "Nack: no open subscription \(id)", subscriptionID: id)
            }
        case JUNCTION__V1__CLIENT_FRAME__FRAME_UNSUBSCRIBE:
            let id = frame.pointee.unsubscribe.pointee.subscription_id
            if let durable = durableStreams.removeValue(forKey: id) {
                durable.close()
                write(UnsubscribedFrame(subscriptionID: id, reason: "unsubscribed by the client"))
                return
            }
            guard let entry = streams.removeValue(forKey: id) else {
                return requestError(.unknownSubscription, "Unsubscribe: no open subscription \(id)", subscriptionID: id)
            }
            entry.stream.close()
            core.router.remove(entry.target, bus: entry.stream.bus)
            write(UnsubscribedFrame(subscriptionID: id, reason: "unsubscribed by the client"))
        case JUNCTION__V1__CLIENT_FRAME__FRAME_ADMIN:
            admin(frame.pointee.admin.pointee, account: account)
        case JUNCTION__V1__CLIENT_FRAME__FRAME_PING:
            write(PongFrame(nonce: frame.pointee.ping.pointee.nonce))
        case JUNCTION__V1__CLIENT_FRAME__FRAME_CLOSE:
            beginClose(reason: "closed at the client's request")
        case JUNCTION__V1__CLIENT_FRAME__FRAME_HELLO:
            fail(WireError(.helloRequired, "Hello was already received on this connection"))
        default:
            fail(WireError(.malformedFrame, "unknown ClientFrame member \(kind.rawValue)"))
        }
    }

    /// Runs an administrative operation off the loop and writes its answer.
    private func admin(_ request: Junction__V1__AdminRequest, account: Account) {
        let operation = EventView.bytes(request.operation).string
        let body = request.body.len > 0 ? Array(UnsafeRawBufferPointer(start: request.body.data, count: request.body.len)) : []
        guard let loop = context?.eventLoop else { return }
        guard adminInFlight < Self.maxAdminInFlight else {
            write(AdminResponseFrame(requestID: request.request_id, error: WireError(.limitExceeded,
                "\(operation): this connection already has \(adminInFlight) admin requests in progress, the limit"), body: []))
            return
        }
        adminInFlight += 1
        let connection = NIOLoopBound(self, eventLoop: loop)
        core.admin.perform(requestID: request.request_id, operation: operation, body: body,
                           account: account.name, on: loop).whenSuccess { response in
            let handler = connection.value
            handler.adminInFlight -= 1
            guard handler.context != nil, !handler.failed else { return }
            handler.write(response)
            handler.scheduleFlush()
        }
    }

    private func hello(_ hello: Junction__V1__Hello) {
        let token = EventView.bytes(hello.token).string
        guard let account = token.isEmpty ? certificateAccount : core.account(forToken: token) else {
            fail(WireError(.unauthenticated, token.isEmpty
                ? "Hello carries no token, and no client certificate that maps to an account"
                : "the token is not recognized"))
            return
        }
        let version = hello.protocol_version
        guard version <= 1 else {
            fail(WireError(.invalidRequest, "protocol version \(version) is not supported; this server speaks 1"))
            return
        }
        session = .open(account)
        let sessionID = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        logger[metadataKey: "connection.account"] = "\(account.name)"
        logger[metadataKey: "connection.session"] = "\(sessionID)"
        logger.debug("session open", metadata: ["client": "\(EventView.bytes(hello.client_name).string)"])
        write(WelcomeFrame(
            server: core.configuration.serverName, account: account.name,
            maxFrameBytes: UInt32(limits.maxFrameBytes), maxBatchEvents: UInt32(limits.maxBatchEvents),
            maxEventBytes: UInt32(limits.maxEventBytes), maxCredits: UInt32(limits.maxCredits), sessionID: sessionID))
    }

    private func publish(body: ByteBuffer, arena: ProtobufArena, batch: UnsafeMutablePointer<Junction__V1__PublishBatch>?, account: Account) {
        guard let batch, let context else { return }
        do {
            try body.withUnsafeReadableBytes { raw throws(WireError) in
                try FrameDecoder.publishEventRanges(raw, count: batch.pointee.n_events, into: &ranges)
            }
        } catch {
            fail(error)
            return
        }
        let job = PublishJob(body: body, arena: arena, batch: batch, ranges: ranges, account: account,
                             connection: NIOLoopBound(self, eventLoop: context.eventLoop),
                             allocator: context.channel.allocator)
        inFlight += 1
        submit(job)
    }

    private func submit(_ job: PublishJob) {
        guard let context else { return }
        if worker.submit(job) { return }
        // The ring is full: hold this job, stop reading, and retry once the
        // worker has drained to its low-water mark.
        parkedJob = job
        let me = NIOLoopBound(self, eventLoop: context.eventLoop)
        worker.notifyWhenSpaceAvailable {
            me.eventLoop.execute { me.value.retryParkedJob() }
        }
    }

    private func retryParkedJob() {
        guard let job = parkedJob else { return }
        parkedJob = nil
        submit(job)
        if parkedJob == nil { processFrames() }
    }

    /// Called on the event loop when the worker is done with `job`.
    func publishCompleted(_ job: PublishJob) {
        inFlight -= 1
        arenaPool.give(job.arena)
        if let ack = job.ack, let context, context.channel.isActive {
            context.write(wrapOutboundOut(ack), promise: nil)
            scheduleFlush()
        }
        if closeReason != nil {
            finishCloseIfDrained()
        } else if inFlight == limits.maxInFlightBatches - 1 {
            processFrames()
        }
    }

    private func subscribe(_ request: Junction__V1__Subscribe) {
        guard let context else { return }
        let id = request.subscription_id
        guard id != 0 else {
            return requestError(.invalidRequest, "Subscribe: subscription_id must not be 0", subscriptionID: 0)
        }
        guard streams[id] == nil, durableStreams[id] == nil else {
            return requestError(.invalidRequest, "Subscribe: subscription \(id) is already open on this connection", subscriptionID: id)
        }
        let open = streams.count + durableStreams.count
        guard open < limits.maxSubscriptionsPerConnection else {
            return requestError(.limitExceeded, "Subscribe: this connection already has \(open) subscriptions, the limit", subscriptionID: id)
        }
        let durableName = EventView.bytes(request.subscription).string
        guard durableName.isEmpty else {
            return subscribeDurable(id: id, name: durableName, request: request, context: context)
        }
        let busBytes = EventView.bytes(request.bus)
        let bus = busBytes.count == 0 ? "default" : busBytes.string
        let pattern: SubscriptionPattern
        do {
            pattern = try SubscriptionPattern(text: EventView.bytes(request.pattern).string)
        } catch {
            return requestError(error.code, "Subscribe: \(error.message)", subscriptionID: id)
        }
        let stream = SubscriptionStream(subscriptionID: id, bus: bus, credits: Int(request.credits), limits: limits, connection: self)
        let target = SubscriptionTarget(pattern: pattern, stream: stream, loop: context.eventLoop)
        do {
            try core.router.add(target, bus: bus)
        } catch {
            return requestError(error.code, "Subscribe: \(error.message)", subscriptionID: id)
        }
        streams[id] = (stream, target)
        write(SubscribedFrame(subscriptionID: id, queueLimit: UInt32(stream.queueLimit)))
        logger.debug("subscribed", metadata: ["subscription.id": "\(id)", "subscription.bus": "\(bus)"])
    }

    /// Attaches this connection as a consumer of a durable subscription.
    private func subscribeDurable(id: UInt32, name: String, request: Junction__V1__Subscribe, context: ChannelHandlerContext) {
        guard let service = core.durable, case .open(let account) = session else {
            return requestError(.invalidRequest, "Subscribe: durable subscription \"\(name)\": this gateway keeps no event log (started with --no-store), so it has no durable subscriptions", subscriptionID: id)
        }
        guard request.pattern == nil || request.pattern.pointee == 0, request.bus == nil || request.bus.pointee == 0 else {
            return requestError(.invalidRequest, "Subscribe: durable subscription \"\(name)\": pattern and bus must be empty: the subscription's own pattern and bus apply", subscriptionID: id)
        }
        let stream = DurableStream(subscriptionID: id, consumer: service.newConsumerID(), connection: self, service: service)
        durableStreams[id] = stream
        let handle = DurableConsumerHandle(id: stream.consumer, stream: stream, loop: context.eventLoop)
        let me = NIOLoopBound(self, eventLoop: context.eventLoop)
        let credits = min(Int(request.credits), limits.maxCredits)
        service.attach(handle, name: name, account: account.name, credits: credits) { error in
            me.eventLoop.execute {
                let handler = me.value
                let stream = handle.stream.value
                guard handler.durableStreams[id] === stream else { return }
                if let error {
                    handler.durableStreams[id] = nil
                    stream.endByServer(reason: error.message)
                    handler.requestError(error.code, error.message, subscriptionID: id)
                } else {
                    handler.write(SubscribedFrame(subscriptionID: id, queueLimit: 0))
                    handler.logger.debug("subscribed", metadata: ["subscription.id": "\(id)", "subscription.name": "\(name)"])
                }
                handler.scheduleFlush()
            }
        }
    }

    /// The server ended a durable stream (its subscription was deleted or redefined).
    func durableStreamEnded(_ stream: DurableStream, reason: String) {
        guard durableStreams[stream.subscriptionID] === stream else { return }
        durableStreams[stream.subscriptionID] = nil
        write(UnsubscribedFrame(subscriptionID: stream.subscriptionID, reason: reason))
        scheduleFlush()
    }

    // MARK: closing

    /// Stops reading, answers everything in flight, then sends Closing and closes.
    func beginClose(reason: String) {
        guard closeReason == nil, !failed else { return }
        closeReason = reason
        finishCloseIfDrained()
    }

    private func finishCloseIfDrained() {
        guard let reason = closeReason, inFlight == 0, parkedJob == nil, let context else { return }
        write(ClosingFrame(reason: reason))
        flushNow()
        context.close(promise: nil)
    }

    /// A fatal protocol error: tell the client why, then close this connection.
    private func fail(_ error: WireError) {
        guard !failed, let context else { return }
        failed = true
        logger.info("closing connection after a protocol error", metadata: ["error.code": "\(error.code)", "error.message": "\(error.message)"])
        write(ErrorFrame(error, fatal: true))
        flushNow()
        context.close(promise: nil)
    }

    /// An error about one request; the connection goes on.
    private func requestError(_ code: WireError.Code, _ message: String, subscriptionID: UInt32 = 0) {
        write(ErrorFrame(WireError(code, message), fatal: false, subscriptionID: subscriptionID))
    }

    // MARK: output

    var isWritable: Bool { context?.channel.isWritable ?? false }

    var allocator: ByteBufferAllocator { context?.channel.allocator ?? ByteBufferAllocator() }

    func write<Body: FrameBody>(_ body: Body) {
        guard let context else { return }
        context.write(wrapOutboundOut(context.channel.allocator.frame(body)), promise: nil)
    }

    /// Flushes once after the tasks already queued on the loop have run, so
    /// acks and deliveries that arrive together leave in one socket write.
    func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { self.flushNow() }
    }

    private func flushNow() {
        flushScheduled = false
        context?.flush()
    }

    private func resumeReadingIfPossible() {
        guard pendingRead, !readsWithheld, let context else { return }
        pendingRead = false
        context.read()
    }

    private static func name(of kind: Junction__V1__ClientFrame__FrameCase) -> String {
        switch kind {
        case JUNCTION__V1__CLIENT_FRAME__FRAME_HELLO: "Hello"
        case JUNCTION__V1__CLIENT_FRAME__FRAME_PUBLISH: "PublishBatch"
        case JUNCTION__V1__CLIENT_FRAME__FRAME_SUBSCRIBE: "Subscribe"
        case JUNCTION__V1__CLIENT_FRAME__FRAME_ACK: "Ack"
        case JUNCTION__V1__CLIENT_FRAME__FRAME_NACK: "Nack"
        case JUNCTION__V1__CLIENT_FRAME__FRAME_CREDIT: "Credit"
        case JUNCTION__V1__CLIENT_FRAME__FRAME_UNSUBSCRIBE: "Unsubscribe"
        case JUNCTION__V1__CLIENT_FRAME__FRAME_PING: "Ping"
        case JUNCTION__V1__CLIENT_FRAME__FRAME_CLOSE: "Close"
        case JUNCTION__V1__CLIENT_FRAME__FRAME_ADMIN: "AdminRequest"
        default: "frame \(kind.rawValue)"
        }
    }
}
