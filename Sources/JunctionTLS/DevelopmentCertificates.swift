internal import COpenSSL
internal import CJunctionOpenSSLShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A self-signed development CA and a server certificate signed by it, made with the
/// OpenSSL API (EC P-256 keys, SHA-256 signatures, subjectAltName entries).
///
/// ```swift
/// let dev = try DevelopmentCertificates.generate(into: "/var/lib/junction")
/// let server = try TLSContext(configuration: .server(certificateChainFile: dev.serverCertificateFile,
///                                                    privateKeyFile: dev.serverPrivateKeyFile))
/// // clients trust dev.caCertificateFile
/// ```
///
/// Files in the directory: `ca.pem`, `ca-key.pem`, `server.pem`, `server-key.pem`
/// (keys are written with mode 0600). Existing files are reused: the CA as long as
/// both its files load, the server certificate as long as it is signed by that CA,
/// matches its key, covers the requested names and is valid for at least another day.
/// Otherwise the server certificate (and, if missing, the CA) is created anew.
public struct DevelopmentCertificates: Sendable, Hashable {
    /// The directory holding the files.
    public var directory: String
    /// `ca.pem`: the development CA certificate; give it to clients as their trusted CA.
    public var caCertificateFile: String
    /// `ca-key.pem`: the CA's private key, used to issue client certificates.
    public var caPrivateKeyFile: String
    /// `server.pem`: the server certificate.
    public var serverCertificateFile: String
    /// `server-key.pem`: the server's private key.
    public var serverPrivateKeyFile: String
    /// Whether the CA was created by this call (`false`: existing files were reused).
    public var createdCA: Bool
    /// Whether the server certificate was created by this call.
    public var createdServerCertificate: Bool

    /// Validity of the development CA.
    public static let caValidityDays = 3650
    /// Validity of a new server certificate (below the 398 days clients accept for leaves).
    public static let serverValidityDays = 397

    /// Creates, or reuses, the development CA and server certificate in `directory`
    /// (created with its parents if missing).
    ///
    /// - Parameters:
    ///   - hostnames: DNS names the server certificate is valid for; the first is also its CN.
    ///   - ips: IP addresses (v4 or v6) the server certificate is valid for.
    /// - Throws: ``TLSError`` with code `.fileAccessFailed` or `.certificateGenerationFailed`,
    ///   naming the file or step.
    public static func generate(into directory: String, hostnames: [String] = ["localhost"],
                                ips: [String] = ["127.0.0.1", "::1"]) throws -> DevelopmentCertificates {
        for ip in ips where !TLSConnection.isIPAddress(ip) {
            throw TLSError(code: .invalidConfiguration, message: "\"\(ip)\" is not an IPv4 or IPv6 address")
        }
        if hostnames.isEmpty && ips.isEmpty {
            throw TLSError(code: .invalidConfiguration, message: "a server certificate needs at least one hostname or IP address")
        }
        try PEMFiles.makeDirectory(directory)
        let dir = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var result = DevelopmentCertificates(
            directory: directory, caCertificateFile: dir + "/ca.pem", caPrivateKeyFile: dir + "/ca-key.pem",
            serverCertificateFile: dir + "/server.pem", serverPrivateKeyFile: dir + "/server-key.pem",
            createdCA: false, createdServerCertificate: false)

        let ca: CertificateAndKey
        if PEMFiles.exists(result.caCertificateFile) && PEMFiles.exists(result.caPrivateKeyFile) {
            ca = try CertificateAndKey(certificateFile: result.caCertificateFile, keyFile: result.caPrivateKeyFile)
        } else {
            ca = try CertificateAndKey.makeCA(commonName: "Junction development CA")
            try PEMFiles.writeKey(ca.key, to: result.caPrivateKeyFile)
            try PEMFiles.writeCertificate(ca.certificate, to: result.caCertificateFile)
            result.createdCA = true
        }

        let reuseServer = !result.createdCA
            && PEMFiles.exists(result.serverCertificateFile) && PEMFiles.exists(result.serverPrivateKeyFile)
            && (try? CertificateAndKey(certificateFile: result.serverCertificateFile, keyFile: result.serverPrivateKeyFile))
                .map { $0.isUsable(issuedBy: ca, hostnames: hostnames, ips: ips) } == true
        if !reuseServer {
            var altNames = hostnames.map { "DNS:\($0)" }
            altNames += ips.map { "IP:\($0)" }
            let server = try CertificateAndKey.issue(
                by: ca, commonName: hostnames.first ?? ips[0], validityDays: serverValidityDays,
                extensions: [
                    (NID_basic_constraints, "critical,CA:FALSE"),
                    (NID_key_usage, "critical,digitalSignature"),
                    (NID_ext_key_usage, "serverAuth"),
                    (NID_subject_alt_name, altNames.joined(separator: ",")),
                ])
            try PEMFiles.writeKey(server.key, to: result.serverPrivateKeyFile)
            try PEMFiles.writeCertificate(server.certificate, to: result.serverCertificateFile)
            result.createdServerCertificate = true
        }
        return result
    }

    /// Issues a client certificate signed by the development CA, for mutual TLS.
    ///
    /// - Parameters:
    ///   - commonName: the subject CN, which a server can map to an account.
    ///   - certificateFile: where to write the PEM certificate (replaced if present).
    ///   - privateKeyFile: where to write the PEM key (mode 0600).
    ///   - dnsNames: optional DNS subjectAltName entries.
    ///   - uris: optional URI subjectAltName entries (e.g. `spiffe://junction/producer`).
    ///   - validityDays: how long the certificate is valid.
    public func issueClientCertificate(commonName: String, certificateFile: String, privateKeyFile: String,
                                       dnsNames: [String] = [], uris: [String] = [],
                                       validityDays: Int = 30) throws {
        let ca = try CertificateAndKey(certificateFile: self.caCertificateFile, keyFile: self.caPrivateKeyFile)
        var extensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, "clientAuth"),
        ]
        let altNames = dnsNames.map { "DNS:\($0)" } + uris.map { "URI:\($0)" }
        if !altNames.isEmpty { extensions.append((NID_subject_alt_name, altNames.joined(separator: ","))) }
        let client = try CertificateAndKey.issue(by: ca, commonName: commonName, validityDays: validityDays,
                                                 extensions: extensions)
        try PEMFiles.writeKey(client.key, to: privateKeyFile)
        try PEMFiles.writeCertificate(client.certificate, to: certificateFile)
    }
}
