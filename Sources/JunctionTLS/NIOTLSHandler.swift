import NIOCore

/// TLS for one channel, on OpenSSL: ciphertext ByteBuffers from the socket become
/// plaintext ByteBuffers for the next handler, and back.
///
/// Add it first in the pipeline, for servers and clients alike:
///
/// ```swift
/// let tls = try TLSContext(configuration: .server(certificateChainFile: cert, privateKeyFile: key))
/// ServerBootstrap(group: group).childChannelInitializer { channel in
///     channel.eventLoop.makeCompletedFuture {
///         try channel.pipeline.syncOperations.addHandler(NIOTLSHandler(context: tls))
///         try channel.pipeline.syncOperations.addHandler(FrameDecoderHandler())
///     }
/// }
/// ```
///
/// Behaviour:
/// - Writes made before the handshake completes are kept and sent after it.
/// - All plaintext written between two flushes is encrypted with as few `SSL_write_ex`
///   calls as possible (full 16 KiB records) into one buffer, sent as one socket write.
/// - Everything decrypted during one read batch is delivered as one `channelRead`,
///   followed by `channelReadComplete`.
/// - ``TLSUserEvent/handshakeCompleted(negotiatedALPN:)`` is fired when the handshake
///   completes; ``peerIdentity`` and the other session facts are set then.
/// - A failed handshake (plaintext peer, untrusted certificate, no common ALPN, version
///   mismatch) or the handshake timeout fires a ``TLSError`` with `fireErrorCaught`
///   and closes this channel. Nothing else is affected.
/// - `close` sends close_notify, then closes the channel once it is written. A
///   received close_notify is answered and the channel closed.
///
/// Not thread-safe: a channel handler lives on its channel's event loop.
public final class NIOTLSHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private struct BufferedWrite {
        var data: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

    /// Ciphertext overhead per TLS record, rounded up (header 5, TLS 1.2 nonce 8 or
    /// TLS 1.3 content type 1, tag 16).
    private static let recordOverhead = 32
    /// How long a close waits for close_notify to be written before closing anyway.
    private static let closeNotifyWriteTimeout = TimeAmount.seconds(3)

    private let tlsContext: TLSContext
    private let serverNameOverride: String?
    private var connection: TLSConnection?
    private var stateMachine = TLSHandlerStateMachine()
    private var bufferedWrites = CircularBuffer<BufferedWrite>(initialCapacity: 16)
    private var bufferedBytes = 0
    /// Coalesces small writes into full records; never leaves this handler, so it is reused.
    private var staging: ByteBuffer?
    /// Plaintext decrypted during the current read batch; reused when the next handler
    /// does not keep it.
    private var plaintext: ByteBuffer?
    /// The next handler asked for a read that no plaintext has answered yet.
    private var readPending = false
    private var handshakeTimer: Scheduled<Void>?
    /// Drop the plaintext and staging buffers after each use (see ``TLSConfiguration/releaseBuffersWhenIdle``).
    private let releaseBuffersWhenIdle: Bool

    /// Server or client, from the context's configuration.
    public var role: TLSConfiguration.Role { self.tlsContext.configuration.role }
    /// The ALPN protocol agreed on, set when the handshake completes.
    public private(set) var negotiatedALPN: String?
    /// The peer certificate's identity (mutual TLS on servers; the server on clients),
    /// set when the handshake completes. `nil` if the peer sent no certificate.
    public private(set) var peerIdentity: TLSPeerIdentity?
    /// "TLSv1.3" or "TLSv1.2", set when the handshake completes.
    public private(set) var protocolVersion: String?
    /// The cipher suite, e.g. "TLS_AES_128_GCM_SHA256", set when the handshake completes.
    public private(set) var cipherSuite: String?
    /// Whether the handshake has completed (and the connection not failed).
    public var isHandshakeComplete: Bool { self.protocolVersion != nil }

    /// Creates the handler for one channel.
    ///
    /// - Parameters:
    ///   - context: the shared ``TLSContext``; its role decides server or client.
    ///   - serverName: client only: the name to send as SNI and verify, overriding
    ///     ``TLSConfiguration/serverName`` for this connection.
    public init(context: TLSContext, serverName: String? = nil) {
        self.tlsContext = context
        self.serverNameOverride = serverName
        self.releaseBuffersWhenIdle = context.configuration.releaseBuffersWhenIdle
    }

    private var peer: String { self.role == .server ? "client" : "server" }

    // MARK: - Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        do {
            self.connection = try TLSConnection(context: self.tlsContext, serverName: self.serverNameOverride,
                                                allocator: context.channel.allocator)
        } catch {
            let tlsError = error as? TLSError ?? TLSError(code: .contextSetupFailed, message: "\(error)")
            if self.stateMachine.failed() == .failAndClose { self.closeWithError(context: context, tlsError) }
            return
        }
        if context.channel.isActive { self.startHandshake(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelHandshakeTimer()
        self.failBufferedWrites(ChannelError.ioOnClosedChannel)
    }

    public func channelActive(context: ChannelHandlerContext) {
        self.startHandshake(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        let action = self.stateMachine.channelInactive()
        self.cancelHandshakeTimer()
        self.failBufferedWrites(ChannelError.ioOnClosedChannel)
        if action == .reportHandshakeAbortedAndCleanUp {
            context.fireErrorCaught(TLSError(code: .handshakeFailed,
                                             message: "TLS handshake failed: the \(self.peer) closed the connection during the handshake"))
        }
        context.fireChannelInactive()
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard self.connection != nil, self.stateMachine.channelActive() == .startHandshake else { return }
        if let timeout = self.tlsContext.configuration.handshakeTimeout {
            self.handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                self.handshakeTimerFired(context: context, timeout: timeout)
            }
        }
        if self.role == .client {
            self.advanceHandshake(context: context)
        }
    }

    private func handshakeTimerFired(context: ChannelHandlerContext, timeout: TimeAmount) {
        self.handshakeTimer = nil
        guard self.stateMachine.handshakeTimedOut() == .failAndClose else { return }
        let seconds = Double(timeout.nanoseconds) / 1e9
        let error = TLSError(code: .handshakeTimeout,
                             message: "TLS handshake with the \(self.peer) did not complete within \(seconds) s (stalled or not a TLS peer); closing the connection")
        self.closeWithError(context: context, error)
    }

    private func cancelHandshakeTimer() {
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
    }

    // MARK: - Handshake

    private func advanceHandshake(context: ChannelHandlerContext) {
        guard let connection = self.connection else { return }
        switch connection.handshake() {
        case .wantRead:
            self.writeCiphertext(context: context, promise: nil, flush: true)
        case .complete:
            self.handshakeDidComplete(context: context, connection: connection)
        case .failed(let error):
            self.fail(context: context, error)
        }
    }

    private func handshakeDidComplete(context: ChannelHandlerContext, connection: TLSConnection) {
        self.cancelHandshakeTimer()
        let alpn = connection.negotiatedALPN
        let configuration = self.tlsContext.configuration
        if self.role == .server, alpn == nil, configuration.requireApplicationProtocol, !configuration.applicationProtocols.isEmpty {
            let wanted = configuration.applicationProtocols.joined(separator: ", ")
            self.fail(context: context, TLSError(code: .noApplicationProtocol,
                                                 message: "TLS handshake failed: the client offered no ALPN protocol; this server requires one of: \(wanted)"))
            return
        }
        guard case .completed(let flushPending) = self.stateMachine.handshakeCompleted() else { return }
        self.negotiatedALPN = alpn
        self.peerIdentity = connection.peerIdentity
        self.cipherSuite = connection.cipherSuite
        self.protocolVersion = connection.protocolVersion
        context.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedALPN: alpn))
        // The handler above may have written and flushed (or closed) in response.
        guard self.stateMachine.isActive else { return }
        if flushPending {
            self.encryptAndFlush(context: context)
        } else {
            self.writeCiphertext(context: context, promise: nil, flush: true)  // e.g. the client's Finished
        }
    }

    // MARK: - Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection = self.connection, !self.stateMachine.isClosed else { return }
        connection.receive(self.unwrapInboundIn(data))
        if self.stateMachine.isHandshaking {
            self.advanceHandshake(context: context)
            guard !self.stateMachine.isHandshaking, !self.stateMachine.isClosed else { return }
        }
        self.decryptAvailable(context: context, connection: connection)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        let delivered = self.deliverPlaintext(context: context)
        context.fireChannelReadComplete()
        // Ciphertext that produced no plaintext (a partial record, a handshake flight)
        // satisfies nobody: ask for more, or a reader with autoRead off would stall.
        if !delivered, !self.stateMachine.isClosed, self.readPending || self.stateMachine.isHandshaking {
            context.read()
        }
    }

    /// Decrypts every complete record received so far into the batch's plaintext buffer.
    private func decryptAvailable(context: ChannelHandlerContext, connection: TLSConnection) {
        // Plaintext is never larger than the ciphertext it comes from: size a new buffer
        // for the whole batch so decryption does not reallocate.
        var plaintext = self.plaintext.take()
            ?? context.channel.allocator.buffer(capacity: connection.bufferedCiphertextBytes + TLSConnection.maximumRecordPlaintext)
        loop: while true {
            switch connection.read(into: &plaintext) {
            case .bytes:
                continue
            case .wantRead:
                break loop
            case .closeNotify:
                self.plaintext = plaintext
                self.closeNotifyReceived(context: context, connection: connection)
                return
            case .failed(let error):
                self.plaintext = plaintext
                self.fail(context: context, error)
                return
            }
        }
        self.plaintext = plaintext
        // Post-handshake messages (KeyUpdate) may need an answer.
        self.writeCiphertext(context: context, promise: nil, flush: true)
    }

    /// Fires the batch's plaintext as one `channelRead`. Returns whether there was any.
    private func deliverPlaintext(context: ChannelHandlerContext) -> Bool {
        guard var plaintext = self.plaintext.take() else { return false }
        guard plaintext.readableBytes > 0 else {
            self.plaintext = plaintext
            return false
        }
        self.readPending = false
        context.fireChannelRead(self.wrapInboundOut(plaintext))
        // Reuses the storage if the next handler did not keep it; otherwise allocates
        // a fresh buffer of the same capacity (no copy).
        if !self.releaseBuffersWhenIdle {
            plaintext.clear()
            if self.plaintext == nil { self.plaintext = plaintext }
        }
        return true
    }

    private func closeNotifyReceived(context: ChannelHandlerContext, connection: TLSConnection) {
        if self.deliverPlaintext(context: context) { context.fireChannelReadComplete() }
        let action = self.stateMachine.closeNotifyReceived()
        context.fireUserInboundEventTriggered(TLSUserEvent.closeNotifyReceived)
        switch action {
        case .replyAndClose:
            self.failBufferedWrites(ChannelError.outputClosed)
            connection.shutdown()
            self.sendCloseNotifyThenClose(context: context, mode: .all, promise: nil)
        case .close:
            context.close(promise: nil)
        case .none:
            break
        }
    }

    // MARK: - Outbound

    public func read(context: ChannelHandlerContext) {
        self.readPending = true
        context.read()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.stateMachine.write() {
        case .buffer:
            let buffer = self.unwrapOutboundIn(data)
            self.bufferedBytes += buffer.readableBytes
            self.bufferedWrites.append(BufferedWrite(data: buffer, promise: promise))
        case .fail:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch self.stateMachine.flush() {
        case .encryptAndFlush:
            self.encryptAndFlush(context: context)
        case .deferUntilHandshakeCompletes, .none:
            break
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .input {
            context.close(mode: mode, promise: promise)
            return
        }
        switch self.stateMachine.close() {
        case .closeNow:
            self.cancelHandshakeTimer()
            self.failBufferedWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: mode, promise: promise)
        case .sendCloseNotifyThenClose:
            // Written-but-unflushed data is dropped, as a plain channel drops it on close.
            self.failBufferedWrites(ChannelError.ioOnClosedChannel)
            self.connection?.shutdown()
            self.sendCloseNotifyThenClose(context: context, mode: mode, promise: promise)
        case .forward:
            context.close(mode: mode, promise: promise)
        }
    }

    /// Writes the queued close_notify and closes once it is written (or after a short
    /// timeout if the peer does not read).
    private func sendCloseNotifyThenClose(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        let written = context.eventLoop.makePromise(of: Void.self)
        var closed = false
        let closeOnce = {
            guard !closed else { return }
            closed = true
            context.close(mode: mode, promise: promise)
        }
        let loop = context.eventLoop.assumeIsolated()
        let fallback = loop.scheduleTask(in: Self.closeNotifyWriteTimeout) { closeOnce() }
        written.futureResult.assumeIsolated().whenComplete { _ in
            fallback.cancel()
            closeOnce()
        }
        self.writeCiphertext(context: context, promise: written, flush: true)
    }

    /// Encrypts everything written since the last flush and sends it as one socket write.
    private func encryptAndFlush(context: ChannelHandlerContext) {
        guard let connection = self.connection else { return }
        guard !self.bufferedWrites.isEmpty else {
            self.writeCiphertext(context: context, promise: nil, flush: true)
            return
        }
        let maximumRecord = TLSConnection.maximumRecordPlaintext
        let records = self.bufferedBytes / maximumRecord + 1
        connection.reserveCiphertextCapacity(self.bufferedBytes + records * Self.recordOverhead)
        var staging = self.staging.take() ?? context.channel.allocator.buffer(capacity: maximumRecord)
        staging.clear()
        var combined: EventLoopPromise<Void>? = nil
        var failure: TLSError? = nil
        while var write = self.bufferedWrites.popFirst() {
            if let promise = write.promise {
                if let combined { combined.futureResult.cascade(to: promise) } else { combined = promise }
            }
            while failure == nil, write.data.readableBytes > 0 {
                let available = write.data.readableBytes
                if staging.readableBytes == 0, available >= maximumRecord {
                    // Large write: encrypt whole records straight from the caller's buffer.
                    let count = available - available % maximumRecord
                    failure = write.data.withUnsafeReadableBytes {
                        connection.write(UnsafeRawBufferPointer(rebasing: $0.prefix(count)))
                    }
                    write.data.moveReaderIndex(forwardBy: count)
                } else {
                    // Small write: gather into the staging buffer until it holds a full record.
                    let count = min(maximumRecord - staging.readableBytes, available)
                    write.data.withUnsafeReadableBytes {
                        _ = staging.writeBytes(UnsafeRawBufferPointer(rebasing: $0.prefix(count)))
                    }
                    write.data.moveReaderIndex(forwardBy: count)
                    if staging.readableBytes == maximumRecord {
                        failure = staging.withUnsafeReadableBytes { connection.write($0) }
                        staging.clear()
                    }
                }
            }
        }
        if failure == nil, staging.readableBytes > 0 {
            failure = staging.withUnsafeReadableBytes { connection.write($0) }
        }
        staging.clear()
        self.staging = self.releaseBuffersWhenIdle ? nil : staging
        self.bufferedBytes = 0
        if let failure {
            combined?.fail(failure)
            self.fail(context: context, failure)
            return
        }
        self.writeCiphertext(context: context, promise: combined, flush: true)
    }

    /// Sends the ciphertext OpenSSL has produced (if any) as one write.
    private func writeCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?, flush: Bool) {
        if let ciphertext = self.connection?.takeCiphertext() {
            context.write(self.wrapOutboundOut(ciphertext), promise: promise)
            if flush { context.flush() }
        } else {
            promise?.succeed(())
        }
    }

    private func failBufferedWrites(_ error: any Error) {
        self.bufferedBytes = 0
        while let write = self.bufferedWrites.popFirst() {
            write.promise?.fail(error)
        }
    }

    // MARK: - Failure

    /// Records the failure in the state machine and, the first time, closes with it.
    private func fail(context: ChannelHandlerContext, _ error: TLSError) {
        guard self.stateMachine.failed() == .failAndClose else { return }
        self.closeWithError(context: context, error)
    }

    /// Sends any alert OpenSSL queued, fails buffered writes, fires the error, closes.
    private func closeWithError(context: ChannelHandlerContext, _ error: TLSError) {
        self.cancelHandshakeTimer()
        self.writeCiphertext(context: context, promise: nil, flush: true)
        self.failBufferedWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension NIOTLSHandler: Sendable {}
