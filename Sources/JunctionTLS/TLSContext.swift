internal import COpenSSL
internal import CJunctionOpenSSLShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An OpenSSL `SSL_CTX` built once from a ``TLSConfiguration`` and shared by every
/// connection that uses it.
///
/// Creating a context reads the certificate, key and CA files, so it fails early with
/// a ``TLSError`` that names the file and what is wrong with it.
///
/// ## Thread safety
/// A context may be used from any number of event loops at once. All configuration of
/// the `SSL_CTX` happens in `init`; afterwards it is only read: `SSL_new` takes a
/// reference and copies its settings into the new `SSL` (OpenSSL protects the reference
/// count and the shared certificate store with its own locks), and the ALPN callback
/// only reads the protocol list, which is immutable. The session cache and session
/// tickets are turned off, so no connection writes back into the context.
public final class TLSContext: @unchecked Sendable {  // SSL_CTX and the ALPN list are immutable after init; see "Thread safety"
    /// The configuration this context was built from.
    public let configuration: TLSConfiguration

    /// The `SSL_CTX *`.
    let sslContext: OpaquePointer
    /// ALPN protocol list in wire format (length-prefixed names), read by the ALPN callback.
    let alpnWireFormat: ALPNProtocolList

    /// Builds the `SSL_CTX`: loads certificates and keys, sets versions, verification and ALPN.
    ///
    /// - Throws: ``TLSError`` naming the file or setting that is wrong.
    public init(configuration: TLSConfiguration) throws {
        try Self.validate(configuration)
        OpenSSLErrorQueue.clear()
        let method = configuration.role == .server ? TLS_server_method() : TLS_client_method()
        guard let ctx = SSL_CTX_new(method) else {
            throw TLSError(code: .contextSetupFailed, message: "cannot create an OpenSSL SSL_CTX",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        self.configuration = configuration
        self.sslContext = ctx
        self.alpnWireFormat = ALPNProtocolList(configuration.applicationProtocols)
        // From here on `deinit` frees `ctx` if a step below throws.
        try self.configureProtocol()
        try self.loadIdentity()
        try self.configureVerification()
        try self.configureALPN()
    }

    deinit {
        SSL_CTX_free(self.sslContext)
    }

    // MARK: - Setup steps

    private static func validate(_ configuration: TLSConfiguration) throws {
        if configuration.minimumVersion > configuration.maximumVersion {
            throw TLSError(code: .invalidConfiguration,
                           message: "minimum TLS version \(configuration.minimumVersion) is above the maximum \(configuration.maximumVersion)")
        }
        if configuration.role == .server {
            if configuration.certificateChainFile == nil || configuration.privateKeyFile == nil {
                throw TLSError(code: .invalidConfiguration,
                               message: "a TLS server needs both a certificate chain file and a private key file")
            }
            if configuration.requireClientCertificate && configuration.trustedCAFile == nil {
                throw TLSError(code: .invalidConfiguration,
                               message: "requireClientCertificate needs trustedCAFile: the CA file that signs client certificates")
            }
        } else {
            if (configuration.certificateChainFile == nil) != (configuration.privateKeyFile == nil) {
                throw TLSError(code: .invalidConfiguration,
                               message: "a client certificate needs both certificateChainFile and privateKeyFile")
            }
            if configuration.requireClientCertificate {
                throw TLSError(code: .invalidConfiguration,
                               message: "requireClientCertificate applies to servers only")
            }
        }
        for name in configuration.applicationProtocols {
            let length = name.utf8.count
            if length == 0 || length > 255 {
                throw TLSError(code: .invalidConfiguration,
                               message: "ALPN protocol name \"\(name)\" must be 1 to 255 bytes long, not \(length)")
            }
        }
        if let timeout = configuration.handshakeTimeout, timeout <= .zero {
            throw TLSError(code: .invalidConfiguration, message: "handshake timeout must be positive")
        }
    }

    private func configureProtocol() throws {
        let ctx = self.sslContext
        func version(_ v: TLSConfiguration.Version) -> Int32 { v == .tls12 ? TLS1_2_VERSION : TLS1_3_VERSION }
        guard CJunctionOpenSSL_SSL_CTX_set_min_proto_version(ctx, version(self.configuration.minimumVersion)) == 1,
              CJunctionOpenSSL_SSL_CTX_set_max_proto_version(ctx, version(self.configuration.maximumVersion)) == 1
        else {
            throw TLSError(code: .contextSetupFailed, message: "OpenSSL refused the TLS version range",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        var options = CJunctionOpenSSL_SSL_OP_NO_COMPRESSION() | CJunctionOpenSSL_SSL_OP_NO_RENEGOTIATION()
            | CJunctionOpenSSL_SSL_OP_NO_TICKET()
        if self.configuration.role == .server { options |= CJunctionOpenSSL_SSL_OP_CIPHER_SERVER_PREFERENCE() }
        _ = SSL_CTX_set_options(ctx, options)
        // No resumption: connections are long-lived, and a context written to by
        // connections would no longer be read-only.
        _ = CJunctionOpenSSL_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
        _ = SSL_CTX_set_num_tickets(ctx, 0)
        // TLS 1.2 only with forward secrecy and AEAD; TLS 1.3 suites are all AEAD.
        if self.configuration.minimumVersion == .tls12 {
            guard SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL") == 1 else {
                throw TLSError(code: .contextSetupFailed, message: "OpenSSL refused the TLS 1.2 cipher list",
                               openSSLErrors: OpenSSLErrorQueue.drainTexts())
            }
        }
        var mode = Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)
        if self.configuration.releaseBuffersWhenIdle { mode |= Int(SSL_MODE_RELEASE_BUFFERS) }
        _ = CJunctionOpenSSL_SSL_CTX_set_mode(ctx, mode)
        // Let OpenSSL pull whole batches of records from the inbound buffer in one BIO call.
        CJunctionOpenSSL_SSL_CTX_set_read_ahead(ctx, 1)
    }

    private func loadIdentity() throws {
        guard let chain = self.configuration.certificateChainFile,
              let key = self.configuration.privateKeyFile else { return }
        try Self.checkReadable(chain, what: "certificate chain", code: .certificateLoadFailed)
        try Self.checkReadable(key, what: "private key", code: .privateKeyLoadFailed)
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_use_certificate_chain_file(self.sslContext, chain) == 1 else {
            throw TLSError(code: .certificateLoadFailed,
                           message: "cannot load certificate chain from \(chain) (expected PEM certificates)",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        guard SSL_CTX_use_PrivateKey_file(self.sslContext, key, SSL_FILETYPE_PEM) == 1 else {
            let errors = OpenSSLErrorQueue.drainTexts()
            if let parsed = try? PEMFiles.readKey(key) {
                EVP_PKEY_free(parsed)
                throw TLSError(code: .privateKeyLoadFailed,
                               message: "private key \(key) does not match the certificate in \(chain)",
                               openSSLErrors: errors)
            }
            throw TLSError(code: .privateKeyLoadFailed,
                           message: "cannot load private key from \(key) (expected an unencrypted PEM key)",
                           openSSLErrors: errors)
        }
        guard SSL_CTX_check_private_key(self.sslContext) == 1 else {
            throw TLSError(code: .privateKeyLoadFailed,
                           message: "private key \(key) does not match the certificate in \(chain)",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
    }

    private func configureVerification() throws {
        let ctx = self.sslContext
        let configuration = self.configuration
        if let caFile = configuration.trustedCAFile {
            try Self.checkReadable(caFile, what: "trusted CA", code: .trustStoreLoadFailed)
            OpenSSLErrorQueue.clear()
            guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                throw TLSError(code: .trustStoreLoadFailed,
                               message: "cannot load trusted CA certificates from \(caFile) (expected PEM certificates)",
                               openSSLErrors: OpenSSLErrorQueue.drainTexts())
            }
        }
        switch configuration.role {
        case .client:
            if configuration.trustedCAFile == nil && configuration.certificateVerification != .insecureNoVerificationForTestsOnly {
                guard SSL_CTX_set_default_verify_paths(ctx) == 1 else {
                    throw TLSError(code: .trustStoreLoadFailed, message: "cannot load the system trust store",
                                   openSSLErrors: OpenSSLErrorQueue.drainTexts())
                }
            }
            let mode = configuration.certificateVerification == .insecureNoVerificationForTestsOnly ? SSL_VERIFY_NONE : SSL_VERIFY_PEER
            SSL_CTX_set_verify(ctx, mode, nil)
        case .server:
            guard let caFile = configuration.trustedCAFile,
                  configuration.certificateVerification != .insecureNoVerificationForTestsOnly
            else {
                SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
                return
            }
            // Tell clients which CAs we accept, so they pick the right certificate.
            OpenSSLErrorQueue.clear()
            guard let names = SSL_load_client_CA_file(caFile), CJunctionOpenSSL_sk_X509_NAME_num(names) > 0 else {
                throw TLSError(code: .trustStoreLoadFailed,
                               message: "no CA certificates found in \(caFile)",
                               openSSLErrors: OpenSSLErrorQueue.drainTexts())
            }
            SSL_CTX_set_client_CA_list(ctx, names)
            var mode = SSL_VERIFY_PEER
            if configuration.requireClientCertificate { mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT }
            SSL_CTX_set_verify(ctx, mode, nil)
        }
    }

    private func configureALPN() throws {
        guard !self.alpnWireFormat.isEmpty else { return }
        switch self.configuration.role {
        case .client:
            let wire = self.alpnWireFormat.bytes
            let rc = SSL_CTX_set_alpn_protos(self.sslContext, wire.baseAddress, UInt32(wire.count))
            guard rc == 0 else {  // note: 0 means success for this function
                throw TLSError(code: .contextSetupFailed, message: "OpenSSL refused the ALPN protocol list",
                               openSSLErrors: OpenSSLErrorQueue.drainTexts())
            }
        case .server:
            SSL_CTX_set_alpn_select_cb(self.sslContext, alpnSelectCallback,
                                       Unmanaged.passUnretained(self.alpnWireFormat).toOpaque())
        }
    }

    private static func checkReadable(_ path: String, what: String, code: TLSError.Code) throws {
        if access(path, R_OK) != 0 {
            let reason = String(cString: strerror(errno))
            throw TLSError(code: code, message: "cannot read \(what) file \(path): \(reason)")
        }
    }
}
