/// An error from the TLS layer: what failed, in words a person can act on, plus
/// the OpenSSL error queue that explains why.
///
/// ```
/// cannot load private key from /etc/junction/key.pem: PEM routines: no start line
/// TLS handshake failed: wrong version number (is the client speaking plaintext?)
/// ```
public struct TLSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A machine-readable category. New codes may be added; switch with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Wrapped: String, Sendable, Hashable {
            case invalidConfiguration
            case certificateLoadFailed
            case privateKeyLoadFailed
            case trustStoreLoadFailed
            case contextSetupFailed
            case handshakeFailed
            case plaintextPeer
            case certificateVerificationFailed
            case noApplicationProtocol
            case handshakeTimeout
            case readFailed
            case writeFailed
            case certificateGenerationFailed
            case fileAccessFailed
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The configuration is inconsistent (for example a server without a certificate).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The certificate chain file cannot be read or parsed.
        public static let certificateLoadFailed = Code(.certificateLoadFailed)
        /// The private key file cannot be read, parsed, or does not match the certificate.
        public static let privateKeyLoadFailed = Code(.privateKeyLoadFailed)
        /// The trusted CA file cannot be read or parsed.
        public static let trustStoreLoadFailed = Code(.trustStoreLoadFailed)
        /// OpenSSL refused a setting while the context was built.
        public static let contextSetupFailed = Code(.contextSetupFailed)
        /// The TLS handshake failed for a reason not covered by a more specific code.
        public static let handshakeFailed = Code(.handshakeFailed)
        /// The peer is not speaking TLS (plaintext HTTP, a raw protocol frame, ...).
        public static let plaintextPeer = Code(.plaintextPeer)
        /// The peer's certificate is untrusted, expired, or does not match the expected name,
        /// or the peer rejected ours.
        public static let certificateVerificationFailed = Code(.certificateVerificationFailed)
        /// No common ALPN protocol (the client offered protocols without `junction/1`, or
        /// none at all when the server requires one).
        public static let noApplicationProtocol = Code(.noApplicationProtocol)
        /// The handshake did not complete within the configured timeout.
        public static let handshakeTimeout = Code(.handshakeTimeout)
        /// Decrypting application data failed (corrupt record, unexpected message, ...).
        public static let readFailed = Code(.readFailed)
        /// Encrypting application data failed.
        public static let writeFailed = Code(.writeFailed)
        /// Creating a development certificate or key failed.
        public static let certificateGenerationFailed = Code(.certificateGenerationFailed)
        /// A file could not be created, written or read.
        public static let fileAccessFailed = Code(.fileAccessFailed)

        public var description: String { self.wrapped.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, naming the file, peer or setting involved.
    public var message: String
    /// The OpenSSL error queue at the time of the failure, oldest first, each as
    /// "library: reason (detail)". Empty when OpenSSL reported nothing.
    public var openSSLErrors: [String]

    /// Creates an error.
    public init(code: Code, message: String, openSSLErrors: [String] = []) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    /// The message followed by the OpenSSL error queue.
    public var description: String {
        if self.openSSLErrors.isEmpty { return self.message }
        return "\(self.message): \(self.openSSLErrors.joined(separator: "; "))"
    }
}
