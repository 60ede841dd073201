import NIOCore

/// Everything needed to build a ``TLSContext``: role, certificate and key files,
/// trust, protocol versions, ALPN and timeouts. A plain `Sendable` value; nothing is
/// read from disk until a ``TLSContext`` is created from it.
///
/// Start from ``server(certificateChainFile:privateKeyFile:)`` or
/// ``client(serverName:trustedCAFile:)`` and adjust fields:
///
/// ```swift
/// var server = TLSConfiguration.server(certificateChainFile: "server.pem", privateKeyFile: "server-key.pem")
/// server.trustedCAFile = "clients-ca.pem"      // mutual TLS
/// server.requireClientCertificate = true
/// let context = try TLSContext(configuration: server)
/// ```
public struct TLSConfiguration: Sendable, Hashable {
    /// Which side of the handshake a context serves.
    public enum Role: Sendable, Hashable {
        /// Accepts connections: presents ``TLSConfiguration/certificateChainFile``, selects ALPN.
        case server
        /// Opens connections: verifies the server against ``TLSConfiguration/trustedCAFile``.
        case client
    }

    /// A TLS protocol version.
    public enum Version: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// TLS 1.2 (RFC 5246). Only with ECDHE and AEAD cipher suites.
        case tls12 = 12
        /// TLS 1.3 (RFC 8446).
        case tls13 = 13

        public static func < (lhs: Version, rhs: Version) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String { self == .tls12 ? "TLS 1.2" : "TLS 1.3" }
    }

    /// How the peer's certificate is checked.
    public enum CertificateVerification: Sendable, Hashable {
        /// Chain to a trusted CA, validity dates, and (client) the server name.
        case full
        /// Chain and dates, but not the name. For clients that connect by an address
        /// that is not in the certificate; prefer ``full`` with the right ``TLSConfiguration/serverName``.
        case noHostnameVerification
        /// No verification at all. For tests only: anyone can impersonate the peer.
        case insecureNoVerificationForTestsOnly
    }

    /// Server or client.
    public var role: Role
    /// PEM file with this side's certificate followed by any intermediates. Required
    /// for servers; for clients, the client certificate used for mutual TLS.
    public var certificateChainFile: String?
    /// PEM file with the private key of ``certificateChainFile``.
    public var privateKeyFile: String?
    /// PEM file of CA certificates trusted to sign the peer's certificate.
    ///
    /// Client: the CAs that may sign the server certificate (`nil` uses the system
    /// trust store). Server: the CAs that may sign client certificates; setting it
    /// turns on mutual TLS (client certificates are requested).
    public var trustedCAFile: String?
    /// Server with ``trustedCAFile``: refuse clients that present no certificate.
    /// When `false`, a client certificate is requested and verified if sent, but optional.
    public var requireClientCertificate: Bool
    /// Lowest protocol version accepted. Default TLS 1.3.
    public var minimumVersion: Version
    /// Highest protocol version offered. Default TLS 1.3.
    public var maximumVersion: Version
    /// ALPN protocols, most preferred first. Default `["junction/1"]`.
    ///
    /// Server: a client that offers ALPN without any of these fails the handshake
    /// with a `no_application_protocol` alert. A client that offers no ALPN at all is
    /// accepted unless ``requireApplicationProtocol`` is set.
    /// Client: offered in this order. An empty list turns ALPN off.
    public var applicationProtocols: [String]
    /// Server: also refuse clients that offer no ALPN at all. Default `false`, so
    /// plain TLS clients (`openssl s_client`, simple scripts) can connect.
    public var requireApplicationProtocol: Bool
    /// How long the handshake may take, from the moment the TCP connection is
    /// active. `nil` means no limit. Default 10 seconds.
    public var handshakeTimeout: TimeAmount?
    /// Client: the server's name, sent as SNI and checked against the certificate's
    /// DNS names. An IP address (v4 or v6) is checked against the certificate's IP
    /// SANs instead and not sent as SNI. Can be overridden per connection.
    public var serverName: String?
    /// How the peer's certificate is checked. Default ``CertificateVerification/full``.
    public var certificateVerification: CertificateVerification
    /// Keep no buffers while a connection is idle: OpenSSL frees its record buffers
    /// (`SSL_MODE_RELEASE_BUFFERS`) and the handler drops its plaintext and write-staging
    /// buffers after each use. Saves tens of KiB per idle connection at the price of
    /// allocations on busy ones. Default `false` (buffers are kept and reused).
    public var releaseBuffersWhenIdle: Bool

    /// Creates a configuration; prefer the ``server(certificateChainFile:privateKeyFile:)``
    /// and ``client(serverName:trustedCAFile:)`` factories.
    public init(
        role: Role,
        certificateChainFile: String? = nil,
        privateKeyFile: String? = nil,
        trustedCAFile: String? = nil,
        requireClientCertificate: Bool = false,
        minimumVersion: Version = .tls13,
        maximumVersion: Version = .tls13,
        applicationProtocols: [String] = ["junction/1"],
        requireApplicationProtocol: Bool = false,
        handshakeTimeout: TimeAmount? = .seconds(10),
        serverName: String? = nil,
        certificateVerification: CertificateVerification = .full,
        releaseBuffersWhenIdle: Bool = false
    ) {
        self.role = role
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.trustedCAFile = trustedCAFile
        self.requireClientCertificate = requireClientCertificate
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.applicationProtocols = applicationProtocols
        self.requireApplicationProtocol = requireApplicationProtocol
        self.handshakeTimeout = handshakeTimeout
        self.serverName = serverName
        self.certificateVerification = certificateVerification
        self.releaseBuffersWhenIdle = releaseBuffersWhenIdle
    }

    /// A server configuration with the defaults: TLS 1.3 only, ALPN `junction/1`,
    /// 10 s handshake timeout, no client certificates.
    public static func server(certificateChainFile: String, privateKeyFile: String) -> TLSConfiguration {
        TLSConfiguration(role: .server, certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile)
    }

    /// A client configuration with the defaults: TLS 1.3 only, ALPN `junction/1`,
    /// full verification of `serverName` against `trustedCAFile` (or the system trust store).
    public static func client(serverName: String?, trustedCAFile: String? = nil) -> TLSConfiguration {
        TLSConfiguration(role: .client, trustedCAFile: trustedCAFile, serverName: serverName)
    }
}
