public import CJunctionWire
public import JunctionTLS
public import JunctionWire
public import JunctionAdmin
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix

/// A connection to a Junction gateway: publish batches and open
/// subscription streams over one TLS connection.
///
/// ```swift
/// let connection = try await JunctionConnection.connect(
///     host: "127.0.0.1", port: 7400,
///     tls: .client(serverName: "localhost", trustedCAFile: "data/ca.pem"),
///     token: token)
/// let results = try await connection.publish([
///     OutgoingEvent(source: "com.example.orders", detailType: "OrderPlaced", detail: Array(#"{"id":1}"#.utf8))
/// ])
/// let subscription = try await connection.subscribe(pattern: #"{"source":["com.example.orders"]}"#)
/// for try await delivery in subscription { print(delivery.event.id) }
/// ```
///
/// Publishing is pipelined: many `publish` calls may be in flight at once and
/// each returns its own batch's results.
public final class JunctionConnection: Sendable {
    /// What the server said in Welcome: account and limits.
    public let server: ServerInfo
    private let channel: Channel
    private let handler: NIOLoopBound<ClientConnectionHandler>
    private let ownedGroup: MultiThreadedEventLoopGroup?
    private let closedFuture: EventLoopFuture<Void>
    private let counters = NIOLockedValueBox((batch: UInt64(0), subscription: UInt32(0), nonce: UInt64(0), admin: UInt64(0)))

    private init(server: ServerInfo, channel: Channel, handler: NIOLoopBound<ClientConnectionHandler>,
                 ownedGroup: MultiThreadedEventLoopGroup?, closed: EventLoopFuture<Void>) {
        self.server = server
        self.channel = channel
        self.handler = handler
        self.ownedGroup = ownedGroup
        self.closedFuture = closed
    }

    /// Connects, completes TLS and the Hello/Welcome exchange.
    ///
    /// - Parameters:
    ///   - tls: the client TLS configuration; `nil` for a plaintext listener.
    ///   - token: the account's bearer token.
    ///   - eventLoopGroup: a group to run on; `nil` creates one thread of its own.
    public static func connect(
        host: String, port: Int, tls: TLSConfiguration?, token: String,
        clientName: String = "junction-swift/0.1", eventLoopGroup: EventLoopGroup? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> JunctionConnection {
        let owned = eventLoopGroup == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let group = eventLoopGroup ?? owned!
        do {
            let tlsContext = try tls.map { try TLSContext(configuration: $0) }
            let loop = group.next()
            let welcome = loop.makePromise(of: ServerInfo.self)
            let closed = loop.makePromise(of: Void.self)
            let installed = loop.makePromise(of: NIOLoopBound<ClientConnectionHandler>.self)
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let tlsContext { try sync.addHandler(NIOTLSHandler(context: tlsContext, serverName: tls?.serverName ?? host)) }
                        let handler = ClientConnectionHandler(welcome: welcome, closed: closed)
                        try sync.addHandler(handler)
                        installed.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                    }
                }
                .connect(host: host, port: port).get()
            let boundHandler = try await installed.futureResult.get()
            let hello = HelloFrame(token: token, clientName: clientName)
            try await loop.submit {
                if let error = boundHandler.value.send(hello) { throw error }
            }.get()
            let timeoutTask = loop.scheduleTask(in: timeout) {
                welcome.fail(JunctionClientError(.timeout, "no Welcome within \(timeout)"))
            }
            defer { timeoutTask.cancel() }
            let info: ServerInfo
            do {
                info = try await welcome.futureResult.get()
            } catch {
                try? await channel.close()
                throw error
            }
            return JunctionConnection(server: info, channel: channel, handler: boundHandler, ownedGroup: owned, closed: closed.futureResult)
        } catch {
            try? await owned?.shutdownGracefully()
            if let error = error as? JunctionClientError { throw error }
            throw JunctionClientError(.connection, "cannot connect to \(host):\(port): \(error)")
        }
    }

    /// The connection's event loop (for callbacks of the raw APIs).
    public var eventLoop: EventLoop { channel.eventLoop }

    private func nextBatchID() -> UInt64 { counters.withLockedValue { $0.batch += 1; return $0.batch } }

    // MARK: publish

    /// Publishes a batch and waits for its per-event results (in order).
    public func publish(_ events: [OutgoingEvent], bus: String = "") async throws -> [PublishResult] {
        try await publishFuture(events, bus: bus).get()
    }

    /// Publishes a batch without waiting; the future completes with the results.
    public func publishFuture(_ events: [OutgoingEvent], bus: String = "") -> EventLoopFuture<[PublishResult]> {
        if events.isEmpty {
            return channel.eventLoop.makeFailedFuture(JunctionClientError(.protocolViolation, "publish: the batch is empty"))
        }
        if events.count > server.maxBatchEvents {
            return channel.eventLoop.makeFailedFuture(JunctionClientError(.protocolViolation,
                "publish: \(events.count) events in one batch; the server allows \(server.maxBatchEvents)"))
        }
        let frame = PublishBatchFrame(batchID: nextBatchID(), bus: bus, events: events)
        if frame.messageSize > server.maxFrameBytes {
            return channel.eventLoop.makeFailedFuture(JunctionClientError(.protocolViolation,
                "publish: the batch encodes to \(frame.messageSize) bytes; the server allows \(server.maxFrameBytes) per frame"))
        }
        var buffer = channel.allocator.buffer(capacity: frame.frameSize)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: frame.frameSize) { frame.writeFrame(into: $0) }
        let promise = channel.eventLoop.makePromise(of: [PublishResult].self)
        let handler = self.handler
        let batchID = frame.batchID
        let encoded = buffer
        channel.eventLoop.execute {
            handler.value.expectAck(batchID: batchID, .full(promise))
            if let error = handler.value.sendRaw(encoded, flush: true) { promise.fail(error) }
        }
        return promise.futureResult
    }

    /// Sends an already-encoded PublishBatch frame (header included) whose
    /// batch id is `batchID`, and returns a summary of its ack. For tools
    /// that encode batches themselves (from the connection's event loop,
    /// ``publishEncodedOnLoop(_:firstBatchID:count:onAck:)`` saves a promise
    /// and a task per batch); `flush: false` lets several frames leave in
    /// one write (call `flush()` after).
    public func publishEncoded(_ frame: ByteBuffer, batchID: UInt64, flush: Bool = true) -> EventLoopFuture<PublishAckSummary> {
        let promise = channel.eventLoop.makePromise(of: PublishAckSummary.self)
        let handler = self.handler
        channel.eventLoop.execute {
            // On the loop no ack can be read between the write and the waiter.
            if let error = handler.value.sendRaw(frame, flush: flush) { return promise.fail(error) }
            handler.value.expectAck(batchID: batchID, .summary { promise.completeWith($0) })
        }
        return promise.futureResult
    }

    /// Flushes frames sent with `flush: false`.
    public func flush() {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.flush() }
    }

    /// A batch id for `publishEncoded`. Acks are matched to batches in the
    /// order their frames are written, which is the order of the ids unless
    /// `publishEncodedOnLoop` is mixed with the other publish calls.
    public func reserveBatchID() -> UInt64 { nextBatchID() }

    /// `count` (> 0) consecutive batch ids for `publishEncodedOnLoop`; returns the first.
    public func reserveBatchIDs(_ count: Int) -> UInt64 {
        precondition(count > 0, "reserveBatchIDs: count must be > 0, got \(count)")
        return counters.withLockedValue { value in
            defer { value.batch += UInt64(count) }
            return value.batch + 1
        }
    }

    /// `publishEncoded` for a caller on the connection's event loop
    /// (``eventLoop``) that sends many batches, such as a load generator:
    /// queues `frames`, the encoded PublishBatch frames of the batch ids
    /// `firstBatchID ..< firstBatchID + count` back to back (from
    /// ``reserveBatchIDs(_:)``), without flushing (call ``flush()``). `onAck`
    /// is called on the loop with each batch's summary, in batch order, or
    /// with the error that ended the connection; when the connection has
    /// already failed, `count` times before this returns (count the batches
    /// in flight before calling). `frames` must hold exactly `count` frames:
    /// an ack for an id that was not expected fails the connection. Against
    /// `publishEncoded`, this saves a buffer, a promise, a task and a
    /// callback per batch.
    ///
    /// Use it alone on a connection: the other publish calls take their id
    /// when called but write their frame from a later task on the loop, so
    /// mixed with this one the ids leave out of order (acks are still
    /// matched, in the order the frames are written, but the protocol asks
    /// for increasing ids).
    public func publishEncodedOnLoop(_ frames: ByteBuffer, firstBatchID: UInt64, count: Int,
                                     onAck: @escaping @Sendable (Result<PublishAckSummary, Error>) -> Void) {
        channel.eventLoop.preconditionInEventLoop()
        precondition(count > 0, "publishEncodedOnLoop: count must be > 0, got \(count)")
        let handler = self.handler.value
        // On the loop no ack can be read between the write and the waiters.
        if let error = handler.sendRaw(frames, flush: false) {
            for _ in 0..<count { onAck(.failure(error)) }
            return
        }
        for i in 0..<UInt64(count) { handler.expectAck(batchID: firstBatchID + i, .summary(onAck)) }
    }

    /// The channel's allocator, for encoding frames.
    public var allocator: ByteBufferAllocator { channel.allocator }

    // MARK: subscribe

    /// Opens a subscription stream. The returned sequence grants credits as
    /// it is consumed, keeping at most `credits` deliveries outstanding.
    public func subscribe(pattern: String = "", bus: String = "", credits: UInt32 = 256) async throws -> Subscription {
        try await subscribe(pattern: pattern, bus: bus, durable: "", credits: credits)
    }

    /// Consumes the durable subscription `name` (created with the
    /// `subscription.create` admin operation or the gateway's configuration).
    /// Every consumer of a subscription gets a share of its events; each
    /// delivery must be acked (``Subscription/ack(_:)``) or nacked before the
    /// subscription's ack timeout, or it is redelivered.
    public func subscribe(durable name: String, credits: UInt32 = 256) async throws -> Subscription {
        try await subscribe(pattern: "", bus: "", durable: name, credits: credits)
    }

    private func subscribe(pattern: String, bus: String, durable: String, credits: UInt32) async throws -> Subscription {
        let id = counters.withLockedValue { $0.subscription += 1; return $0.subscription }
        let (stream, continuation) = AsyncThrowingStream<[Delivery], Error>.makeStream()
        let sink = SubscriptionSink.events { result in
            switch result {
            case .success(let deliveries): continuation.yield(deliveries)
            case .failure(let error):
                if case .connection = error.kind { continuation.finish() } else { continuation.finish(throwing: error) }
            }
        }
        try await open(id: id, pattern: pattern, bus: bus, durable: durable, credits: credits, sink: sink)
        // The server caps credits at max_credits; refill against what it grants.
        let window = min(credits, UInt32(clamping: server.maxCredits))
        return Subscription(id: id, connection: self, window: window, batches: stream)
    }

    /// Opens a subscription stream whose deliveries are handed, still in
    /// protobuf-c form, to `onDeliveries` on the connection's event loop (the
    /// benchmark's path). Credits are granted by the caller with `grant`.
    public func subscribeRaw(pattern: String = "", bus: String = "", credits: UInt32,
                             onDeliveries: @escaping (UnsafeMutablePointer<Junction__V1__Deliveries>) -> Void,
                             onEnd: @escaping (JunctionClientError) -> Void) async throws -> UInt32 {
        let id = counters.withLockedValue { $0.subscription += 1; return $0.subscription }
        let sink = SubscriptionSink.raw(onDeliveries, onEnd: onEnd)
        // The sink holds non-Sendable closures; it is created here and only
        // used on the loop, which `open` hops to.
        nonisolated(unsafe) let unsafeSink = sink
        try await open(id: id, pattern: pattern, bus: bus, credits: credits, sink: unsafeSink)
        return id
    }

    /// Opens a subscription stream whose Deliveries messages are handed,
    /// still encoded, to `onDeliveries` on the connection's event loop (read
    /// them with `WireScanner`). For tools that need only a field or two of
    /// each event; credits are granted by the caller with `grant`.
    public func subscribeEncoded(pattern: String = "", bus: String = "", durable: String = "", credits: UInt32,
                                 onDeliveries: @escaping (UnsafeRawBufferPointer) -> Void,
                                 onEnd: @escaping (JunctionClientError) -> Void) async throws -> UInt32 {
        let id = counters.withLockedValue { $0.subscription += 1; return $0.subscription }
        nonisolated(unsafe) let sink = SubscriptionSink.encoded(onDeliveries, onEnd: onEnd)  // used only on the loop
        try await open(id: id, pattern: pattern, bus: bus, durable: durable, credits: credits, sink: sink)
        return id
    }

    private func open(id: UInt32, pattern: String, bus: String, durable: String = "", credits: UInt32, sink: SubscriptionSink) async throws {
        let opened = channel.eventLoop.makePromise(of: UInt32.self)
        let handler = self.handler
        let frame = SubscribeFrame(subscriptionID: id, pattern: pattern, subscription: durable, bus: bus, credits: credits)
        nonisolated(unsafe) let sink = sink  // moved to the loop, used only there
        channel.eventLoop.execute {
            handler.value.addSubscription(id, sink: sink, opened: opened)
            if let error = handler.value.send(frame) { opened.fail(error) }
        }
        _ = try await opened.futureResult.get()
    }

    /// Grants `credits` more deliveries to a stream.
    public func grant(subscriptionID: UInt32, credits: UInt32) {
        sendOnLoop(CreditFrame(subscriptionID: subscriptionID, credits: credits))
    }

    /// Acknowledges deliveries.
    public func ack(subscriptionID: UInt32, deliveryIDs: [UInt64]) {
        sendOnLoop(AckFrame(subscriptionID: subscriptionID, deliveryIDs: deliveryIDs))
    }

    /// Rejects deliveries for redelivery after `delayMilliseconds`.
    public func nack(subscriptionID: UInt32, deliveryIDs: [UInt64], delayMilliseconds: UInt32 = 0, reason: String = "") {
        sendOnLoop(NackFrame(subscriptionID: subscriptionID, deliveryIDs: deliveryIDs, delayMilliseconds: delayMilliseconds, reason: reason))
    }

    /// Closes a stream.
    public func unsubscribe(subscriptionID: UInt32) {
        sendOnLoop(UnsubscribeFrame(subscriptionID: subscriptionID))
    }

    private func sendOnLoop<Body: FrameBody & Sendable>(_ body: Body) {
        let handler = self.handler
        channel.eventLoop.execute { _ = handler.value.send(body) }
    }

    // MARK: administration

    /// Performs an administrative operation (see ADMINISTRATION in
    /// protocol.proto and docs/admin.md) with a request document, and decodes
    /// its result document.
    ///
    /// Throws ``JunctionClientError`` with kind `.server(code)` when the
    /// gateway refuses; ``JunctionClientError/details`` then holds the
    /// response document (for example the violations of a refused schema).
    public func admin<Request: Encodable & Sendable, Response: Decodable>(
        _ operation: String, _ request: Request, as response: Response.Type
    ) async throws -> Response {
        let body = try await adminRaw(operation, body: AdminDocument.encode(request))
        do throws(WireError) {
            return try AdminDocument.decode(response, from: body)
        } catch {
            throw JunctionClientError(.protocolViolation, "\(operation): the server's answer does not parse: \(error.message)")
        }
    }

    /// Performs an administrative operation with raw JSON documents.
    public func adminRaw(_ operation: String, body: [UInt8]) async throws -> [UInt8] {
        let requestID = counters.withLockedValue { $0.admin += 1; return $0.admin }
        let promise = channel.eventLoop.makePromise(of: AdminReply.self)
        let handler = self.handler
        channel.eventLoop.execute {
            handler.value.expectAdminResponse(requestID: requestID, promise)
            if let error = handler.value.send(AdminRequestFrame(requestID: requestID, operation: operation, body: body)) {
                promise.fail(error)
            }
        }
        let reply = try await promise.futureResult.get()
        if let error = reply.error {
            var failure = JunctionClientError(.server(error.code), error.message)
            failure.details = reply.body
            throw failure
        }
        return reply.body
    }

    // MARK: lifecycle

    /// Round trip to the server.
    public func ping() async throws -> Duration {
        let nonce = counters.withLockedValue { $0.nonce += 1; return $0.nonce }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let handler = self.handler
        let start = ContinuousClock.now
        channel.eventLoop.execute {
            handler.value.expectPong(nonce: nonce, promise)
            if let error = handler.value.send(PingFrame(nonce: nonce)) { promise.fail(error) }
        }
        try await promise.futureResult.get()
        return ContinuousClock.now - start
    }

    /// Asks the server to finish in-flight work and close, and waits for it.
    public func close() async {
        let handler = self.handler
        channel.eventLoop.execute { _ = handler.value.send(CloseFrame(reason: "client done")) }
        let loop = channel.eventLoop
        let channel = self.channel
        let timer = loop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
        try? await closedFuture.get()
        timer.cancel()
        try? await ownedGroup?.shutdownGracefully()
    }
}

/// Deliveries of one subscription stream, as an async sequence. Iterating
/// grants credits back to the server as deliveries are consumed.
public struct Subscription: AsyncSequence, Sendable {
    public typealias Element = Delivery
    public let id: UInt32
    let connection: JunctionConnection
    let window: UInt32
    let batches: AsyncThrowingStream<[Delivery], Error>

    public func makeAsyncIterator() -> Iterator {
        Iterator(id: id, connection: connection, window: window, upstream: batches.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        let id: UInt32
        let connection: JunctionConnection
        let window: UInt32
        var upstream: AsyncThrowingStream<[Delivery], Error>.AsyncIterator
        var buffered: [Delivery] = []
        var index = 0
        var consumed: UInt32 = 0

        public mutating func next() async throws -> Delivery? {
            if index == buffered.count {
                guard let batch = try await upstream.next() else { return nil }
                buffered = batch
                index = 0
                if batch.isEmpty { return try await next() }
            }
            defer { index += 1 }
            consumed += 1
            // Give credits back in chunks of half the window.
            if consumed >= Swift.max(1, window / 2) {
                connection.grant(subscriptionID: id, credits: consumed)
                consumed = 0
            }
            return buffered[index]
        }
    }

    /// Acknowledges a delivery of this stream.
    public func ack(_ delivery: Delivery) { connection.ack(subscriptionID: id, deliveryIDs: [delivery.deliveryID]) }

    /// Rejects a delivery: a durable subscription redelivers it after
    /// `delayMilliseconds` (0: its retry policy's backoff).
    public func nack(_ delivery: Delivery, delayMilliseconds: UInt32 = 0, reason: String = "") {
        connection.nack(subscriptionID: id, deliveryIDs: [delivery.deliveryID], delayMilliseconds: delayMilliseconds, reason: reason)
    }

    /// Closes the stream.
    public func cancel() { connection.unsubscribe(subscriptionID: id) }
}
