import NIOCore
internal import COpenSSL
internal import CJunctionOpenSSLShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One TLS connection: an OpenSSL `SSL *` over a ``ByteBufferBIOBuffers`` BIO.
///
/// Confined to one event loop (not `Sendable`). Ciphertext goes in with
/// ``receive(_:)`` and comes out with ``takeCiphertext()``; plaintext goes through
/// ``read(into:)`` and ``write(_:)``. Every OpenSSL call is preceded by
/// `ERR_clear_error()` so a failure reports its own error queue.
final class TLSConnection {
    /// The outcome of a handshake step.
    enum HandshakeResult {
        case complete
        case wantRead
        case failed(TLSError)
    }

    /// The outcome of one decryption step.
    enum ReadResult {
        /// This many plaintext bytes were appended.
        case bytes(Int)
        /// All buffered ciphertext is consumed; more is needed.
        case wantRead
        /// The peer sent close_notify.
        case closeNotify
        case failed(TLSError)
    }

    /// Largest plaintext in one TLS record.
    static let maximumRecordPlaintext = 16_384

    let context: TLSContext
    private let ssl: OpaquePointer
    private let buffers: ByteBufferBIOBuffers
    let role: TLSConfiguration.Role
    private(set) var expectedServerName: String?

    /// Creates the `SSL *` for one connection.
    ///
    /// - Parameter serverName: client only; overrides the configuration's server name.
    init(context: TLSContext, serverName: String?, allocator: ByteBufferAllocator) throws {
        self.context = context
        self.role = context.configuration.role
        self.buffers = ByteBufferBIOBuffers(allocator: allocator)
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.sslContext) else {
            throw TLSError(code: .contextSetupFailed, message: "cannot create an OpenSSL connection (SSL_new)",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        self.ssl = ssl
        guard let bio = BIO_new(ByteBufferBIOMethod.shared.method) else {
            throw TLSError(code: .contextSetupFailed, message: "cannot create the connection's BIO",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        BIO_set_data(bio, Unmanaged.passUnretained(self.buffers).toOpaque())
        SSL_set_bio(ssl, bio, bio)  // the SSL owns the single BIO reference now

        switch self.role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            try self.configureServerName(serverName ?? context.configuration.serverName)
        }
    }

    deinit {
        SSL_free(self.ssl)  // frees the BIO, whose data pointer is `buffers` (still alive here)
    }

    private func configureServerName(_ name: String?) throws {
        guard let name, !name.isEmpty else {
            if self.context.configuration.certificateVerification == .full {
                throw TLSError(code: .invalidConfiguration,
                               message: "a TLS client with full verification needs a server name (hostname or IP address) to check the certificate against")
            }
            return
        }
        self.expectedServerName = name
        let verifyName = self.context.configuration.certificateVerification == .full
        if Self.isIPAddress(name) {
            // IP literals are never sent as SNI (RFC 6066); check the IP SANs.
            if verifyName {
                guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(self.ssl), name) == 1 else {
                    throw TLSError(code: .invalidConfiguration, message: "cannot use \(name) as the expected server IP address",
                                   openSSLErrors: OpenSSLErrorQueue.drainTexts())
                }
            }
        } else {
            guard CJunctionOpenSSL_SSL_set_tlsext_host_name(self.ssl, name) == 1 else {
                throw TLSError(code: .invalidConfiguration, message: "cannot send \"\(name)\" as the TLS server name (SNI)",
                               openSSLErrors: OpenSSLErrorQueue.drainTexts())
            }
            if verifyName {
                SSL_set_hostflags(self.ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                guard SSL_set1_host(self.ssl, name) == 1 else {
                    throw TLSError(code: .invalidConfiguration, message: "cannot use \"\(name)\" as the expected server hostname",
                                   openSSLErrors: OpenSSLErrorQueue.drainTexts())
                }
            }
        }
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    // MARK: - Ciphertext

    /// Hands received ciphertext to OpenSSL. Without leftovers the buffer is used as it
    /// is (no copy); otherwise it is appended to the leftovers.
    func receive(_ ciphertext: ByteBuffer) {
        if self.buffers.inbound == nil || self.buffers.inbound!.readableBytes == 0 {
            self.buffers.inbound = ciphertext
        } else {
            var ciphertext = ciphertext
            self.buffers.inbound!.writeBuffer(&ciphertext)
        }
    }

    /// How much received ciphertext is waiting to be processed.
    var bufferedCiphertextBytes: Int { self.buffers.inbound?.readableBytes ?? 0 }

    /// Prepares the outbound buffer for about `bytes` of ciphertext, so a flush of
    /// many records appends into one allocation.
    func reserveCiphertextCapacity(_ bytes: Int) {
        if self.buffers.outbound == nil {
            self.buffers.outbound = self.buffers.allocator.buffer(capacity: bytes)
        } else {
            self.buffers.outbound!.reserveCapacity(minimumWritableBytes: bytes)
        }
    }

    /// Takes all ciphertext produced so far (handshake messages, records, alerts).
    func takeCiphertext() -> ByteBuffer? {
        guard let out = self.buffers.outbound else { return nil }
        self.buffers.outbound = nil
        return out.readableBytes > 0 ? out : nil
    }

    // MARK: - Handshake

    /// Advances the handshake with whatever ciphertext has been received.
    func handshake() -> HandshakeResult {
        OpenSSLErrorQueue.clear()
        let rc = SSL_do_handshake(self.ssl)
        if rc == 1 { return .complete }
        let error = SSL_get_error(self.ssl, rc)
        switch error {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantRead
        default:
            return .failed(self.handshakeError(sslError: error))
        }
    }

    private func handshakeError(sslError: Int32) -> TLSError {
        self.describeFailure(sslError: sslError, prefix: "TLS handshake failed", defaultCode: .handshakeFailed)
    }

    /// Turns the error queue of a failed handshake or read into an error that names the
    /// likely cause (plaintext peer, rejected certificate, no common ALPN or version).
    private func describeFailure(sslError: Int32, prefix: String, defaultCode: TLSError.Code) -> TLSError {
        let entries = OpenSSLErrorQueue.drain()
        let texts = entries.map(\.text)
        let peer = self.role == .server ? "client" : "server"
        let verifyResult = SSL_get_verify_result(self.ssl)
        if verifyResult != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verifyResult))
            var message = "\(prefix): the \(peer)'s certificate was rejected: \(reason)"
            if let name = self.expectedServerName, verifyResult == X509_V_ERR_HOSTNAME_MISMATCH || verifyResult == X509_V_ERR_IP_ADDRESS_MISMATCH {
                message += " (expected \(name))"
            } else if verifyResult == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || verifyResult == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
                        || verifyResult == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || verifyResult == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT {
                message += " (not signed by a trusted CA: check trustedCAFile)"
            }
            return TLSError(code: .certificateVerificationFailed, message: message, openSSLErrors: texts)
        }
        guard let first = entries.first(where: { $0.library == ERR_LIB_SSL }) ?? entries.first else {
            let what = sslError == SSL_ERROR_SYSCALL || sslError == SSL_ERROR_ZERO_RETURN
                ? "the \(peer) closed the connection" : "OpenSSL error \(sslError)"
            return TLSError(code: defaultCode, message: "\(prefix): \(what)", openSSLErrors: texts)
        }
        let reason = first.reasonText
        let plaintextSymptoms: Set<Int32> = [SSL_R_WRONG_VERSION_NUMBER, SSL_R_UNKNOWN_PROTOCOL, SSL_R_PACKET_LENGTH_TOO_LONG,
                                             SSL_R_RECORD_LENGTH_MISMATCH, SSL_R_UNEXPECTED_RECORD]
        if first.library == ERR_LIB_SSL, plaintextSymptoms.contains(first.reason), !self.sawHandshakeMessage {
            return TLSError(code: .plaintextPeer,
                            message: "\(prefix): \(reason) (is the \(peer) speaking plaintext?)",
                            openSSLErrors: texts)
        }
        switch first.reason {
        case SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST:
            return TLSError(code: .plaintextPeer,
                            message: "\(prefix): \(reason) (the client sent plaintext HTTP to the TLS port)",
                            openSSLErrors: texts)
        case SSL_R_NO_APPLICATION_PROTOCOL, SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL:
            let ours = self.context.configuration.applicationProtocols.joined(separator: ", ")
            return TLSError(code: .noApplicationProtocol,
                            message: "\(prefix): \(reason) (no common ALPN protocol; this side supports \(ours))",
                            openSSLErrors: texts)
        case SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
            let c = self.context.configuration
            return TLSError(code: .handshakeFailed,
                            message: "\(prefix): \(reason) (this side allows \(c.minimumVersion) to \(c.maximumVersion))",
                            openSSLErrors: texts)
        case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
            return TLSError(code: .certificateVerificationFailed,
                            message: "\(prefix): \(reason) (the server requires a client certificate; configure certificateChainFile and privateKeyFile)",
                            openSSLErrors: texts)
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
            return TLSError(code: .certificateVerificationFailed,
                            message: "\(prefix): the client sent no certificate, but this server requires one",
                            openSSLErrors: texts)
        case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, SSL_R_TLSV1_ALERT_UNKNOWN_CA, SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN,
             SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED, SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE,
             SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED, SSL_R_TLSV1_ALERT_ACCESS_DENIED:
            return TLSError(code: .certificateVerificationFailed,
                            message: "\(prefix): the \(peer) rejected this side's certificate (\(reason))",
                            openSSLErrors: texts)
        case SSL_R_CERTIFICATE_VERIFY_FAILED:
            return TLSError(code: .certificateVerificationFailed,
                            message: "\(prefix): the \(peer)'s certificate was rejected",
                            openSSLErrors: texts)
        default:
            return TLSError(code: defaultCode, message: "\(prefix): \(reason)", openSSLErrors: texts)
        }
    }

    /// Whether any valid handshake message arrived (so a later record error is not plaintext).
    private var sawHandshakeMessage: Bool {
        // The state leaves "before" once the peer's first flight has been parsed.
        let state = SSL_get_state(self.ssl)
        switch self.role {
        case .server: return state != TLS_ST_BEFORE
        case .client: return state != TLS_ST_BEFORE && state != TLS_ST_CW_CLNT_HELLO
        }
    }

    // MARK: - Application data

    /// Decrypts one record's worth of plaintext (or less, if `buffer` has less room)
    /// into the writable bytes of `buffer`.
    func read(into buffer: inout ByteBuffer) -> ReadResult {
        let ssl = self.ssl
        var result = ReadResult.wantRead
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maximumRecordPlaintext) { space in
            OpenSSLErrorQueue.clear()
            var count = 0
            if SSL_read_ex(ssl, space.baseAddress, space.count, &count) == 1 {
                result = .bytes(count)
                return count
            }
            let error = SSL_get_error(ssl, 0)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                result = .wantRead
            case SSL_ERROR_ZERO_RETURN:
                result = .closeNotify
            default:
                result = .failed(self.readError(sslError: error))
            }
            return 0
        }
        return result
    }

    private func readError(sslError: Int32) -> TLSError {
        let peer = self.role == .server ? "client" : "server"
        return self.describeFailure(sslError: sslError, prefix: "TLS read from the \(peer) failed", defaultCode: .readFailed)
    }

    /// Encrypts `bytes` into as few records as possible (16 KiB each), appended to the
    /// outbound ciphertext. Returns `nil` on success.
    func write(_ bytes: UnsafeRawBufferPointer) -> TLSError? {
        guard bytes.count > 0 else { return nil }
        OpenSSLErrorQueue.clear()
        var written = 0
        if SSL_write_ex(self.ssl, bytes.baseAddress, bytes.count, &written) == 1, written == bytes.count {
            return nil
        }
        let error = SSL_get_error(self.ssl, 0)
        return TLSError(code: .writeFailed, message: "TLS write of \(bytes.count) bytes failed (SSL error \(error))",
                        openSSLErrors: OpenSSLErrorQueue.drainTexts())
    }

    /// Queues close_notify in the outbound ciphertext.
    func shutdown() {
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(self.ssl)
        OpenSSLErrorQueue.clear()
    }

    // MARK: - Session facts

    /// The ALPN protocol both sides agreed on, if any.
    var negotiatedALPN: String? {
        var data: UnsafePointer<UInt8>? = nil
        var length: UInt32 = 0
        SSL_get0_alpn_selected(self.ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// "TLSv1.3" or "TLSv1.2".
    var protocolVersion: String {
        String(cString: SSL_get_version(self.ssl))
    }

    /// The negotiated cipher suite, e.g. "TLS_AES_128_GCM_SHA256".
    var cipherSuite: String? {
        guard let cipher = SSL_get_current_cipher(self.ssl) else { return nil }
        return String(cString: SSL_CIPHER_get_name(cipher))
    }

    /// The peer certificate's identity, or `nil` if the peer sent none.
    var peerIdentity: TLSPeerIdentity? {
        guard let certificate = SSL_get1_peer_certificate(self.ssl) else { return nil }
        defer { X509_free(certificate) }
        var identity = X509Inspection.identity(of: certificate)
        identity.isVerified = self.context.configuration.certificateVerification != .insecureNoVerificationForTestsOnly
            && SSL_get_verify_result(self.ssl) == X509_V_OK
        return identity
    }
}
