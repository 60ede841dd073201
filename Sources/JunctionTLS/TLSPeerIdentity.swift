/// Who the peer is, from the certificate it presented in the handshake.
///
/// Used to map a mutual-TLS client to an account: match on ``commonName``, a DNS name,
/// URI or e-mail SAN. Read once when the handshake completes.
public struct TLSPeerIdentity: Sendable, Hashable {
    /// The subject distinguished name in RFC 2253 form, e.g. `CN=producer-1,O=Acme`.
    public var subject: String
    /// The subject's common name (CN), if there is one.
    public var commonName: String?
    /// `subjectAltName` DNS entries.
    public var dnsNames: [String]
    /// `subjectAltName` IP entries in text form (`127.0.0.1`, `::1`).
    public var ipAddresses: [String]
    /// `subjectAltName` URI entries (e.g. SPIFFE IDs).
    public var uris: [String]
    /// `subjectAltName` e-mail entries.
    public var emailAddresses: [String]
    /// Whether the certificate chain was verified against the trusted CAs. `false`
    /// only when verification was turned off for tests.
    public var isVerified: Bool

    /// Creates an identity.
    public init(subject: String, commonName: String?, dnsNames: [String] = [], ipAddresses: [String] = [],
                uris: [String] = [], emailAddresses: [String] = [], isVerified: Bool) {
        self.subject = subject
        self.commonName = commonName
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.uris = uris
        self.emailAddresses = emailAddresses
        self.isVerified = isVerified
    }
}
