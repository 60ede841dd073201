/// The lifecycle of one TLS connection as a value: one `mutating func` per event,
/// each returning the action the handler must perform. No I/O, so it is tested
/// without a channel.
///
/// ```
/// idle ──active──▶ handshaking ──complete──▶ active ──close──▶ closing ──▶ closed
///                      │                       │
///                      └──fail / timeout───────┴──────────────────────────▶ closed
/// ```
struct TLSHandlerStateMachine {
    private enum State {
        /// Handler added; the TCP connection is not active yet.
        case idle(flushPending: Bool)
        /// Handshake in progress; writes are buffered. `flushPending` remembers a
        /// flush requested meanwhile.
        case handshaking(flushPending: Bool)
        /// Application data flows.
        case active
        /// close_notify sent (by us or in reply); waiting for the channel to close.
        case closing
        /// Failed, or the channel is inactive. Nothing more happens.
        case closed
    }

    private var state: State = .idle(flushPending: false)

    /// Whether the handshake is still to complete.
    var isHandshaking: Bool {
        switch self.state {
        case .idle, .handshaking: return true
        case .active, .closing, .closed: return false
        }
    }

    /// Whether application data can be encrypted and decrypted.
    var isActive: Bool {
        if case .active = self.state { return true }
        return false
    }

    /// Whether the connection is finished (failed or inactive).
    var isClosed: Bool {
        if case .closed = self.state { return true }
        return false
    }

    // MARK: - Events

    enum OnActive: Equatable {
        /// Start the handshake (client: send ClientHello) and the handshake timer.
        case startHandshake
        case none
    }

    /// The TCP connection is active (or the handler was added to an active channel).
    mutating func channelActive() -> OnActive {
        guard case .idle(let flushPending) = self.state else { return .none }
        self.state = .handshaking(flushPending: flushPending)
        return .startHandshake
    }

    enum OnHandshakeCompleted: Equatable {
        /// Fire the user event, then encrypt and flush buffered writes if `flush`.
        case completed(flush: Bool)
        case none
    }

    /// OpenSSL reports the handshake complete.
    mutating func handshakeCompleted() -> OnHandshakeCompleted {
        guard case .handshaking(let flushPending) = self.state else { return .none }
        self.state = .active
        return .completed(flush: flushPending)
    }

    enum OnWrite: Equatable {
        /// Keep the write until a flush (after the handshake).
        case buffer
        /// Fail the write's promise: the connection is closing or closed.
        case fail
    }

    /// Plaintext is written.
    func write() -> OnWrite {
        switch self.state {
        case .idle, .handshaking, .active: return .buffer
        case .closing, .closed: return .fail
        }
    }

    enum OnFlush: Equatable {
        /// Encrypt buffered writes and write the ciphertext to the socket.
        case encryptAndFlush
        /// Remember it; the handshake is still running.
        case deferUntilHandshakeCompletes
        case none
    }

    /// The pipeline flushes.
    mutating func flush() -> OnFlush {
        switch self.state {
        case .idle:
            self.state = .idle(flushPending: true)
            return .deferUntilHandshakeCompletes
        case .handshaking:
            self.state = .handshaking(flushPending: true)
            return .deferUntilHandshakeCompletes
        case .active:
            return .encryptAndFlush
        case .closing, .closed:
            return .none
        }
    }

    enum OnClose: Equatable {
        /// Send close_notify (after encrypting buffered writes), then close the channel.
        case sendCloseNotifyThenClose
        /// No TLS session to shut down: fail buffered writes and close.
        case closeNow
        /// Already closing or closed: pass the close on.
        case forward
    }

    /// The application closes the channel.
    mutating func close() -> OnClose {
        switch self.state {
        case .idle, .handshaking:
            self.state = .closed
            return .closeNow
        case .active:
            self.state = .closing
            return .sendCloseNotifyThenClose
        case .closing, .closed:
            return .forward
        }
    }

    enum OnCloseNotify: Equatable {
        /// Deliver decrypted data, reply with close_notify, close the channel.
        case replyAndClose
        /// We had sent ours first: just close.
        case close
        case none
    }

    /// The peer sent close_notify.
    mutating func closeNotifyReceived() -> OnCloseNotify {
        switch self.state {
        case .active:
            self.state = .closing
            return .replyAndClose
        case .closing:
            return .close
        case .idle, .handshaking, .closed:
            return .none
        }
    }

    enum OnFailure: Equatable {
        /// Send any alert, fail buffered writes, fire the error, close.
        case failAndClose
        /// Already closed: ignore.
        case none
    }

    /// A TLS error (handshake, decryption, ALPN policy) or the handshake timeout.
    mutating func failed() -> OnFailure {
        if case .closed = self.state { return .none }
        self.state = .closed
        return .failAndClose
    }

    enum OnTimeout: Equatable {
        case failAndClose
        case none
    }

    /// The handshake timer fired.
    mutating func handshakeTimedOut() -> OnTimeout {
        guard self.isHandshaking, !self.isClosed else { return .none }
        self.state = .closed
        return .failAndClose
    }

    enum OnInactive: Equatable {
        /// The peer went away mid-handshake: report it, then clean up.
        case reportHandshakeAbortedAndCleanUp
        /// Fail buffered writes, cancel the timer.
        case cleanUp
    }

    /// The TCP connection closed.
    mutating func channelInactive() -> OnInactive {
        let wasHandshaking: Bool
        if case .handshaking = self.state { wasHandshaking = true } else { wasHandshaking = false }
        self.state = .closed
        return wasHandshaking ? .reportHandshakeAbortedAndCleanUp : .cleanUp
    }
}
