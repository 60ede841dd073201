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

/// An owned `X509 *` and `EVP_PKEY *`.
final class CertificateAndKey {
    let certificate: OpaquePointer
    let key: OpaquePointer

    private init(certificate: OpaquePointer, key: OpaquePointer) {
        self.certificate = certificate
        self.key = key
    }

    deinit {
        X509_free(self.certificate)
        EVP_PKEY_free(self.key)
    }

    /// Loads a PEM certificate and its PEM private key.
    convenience init(certificateFile: String, keyFile: String) throws {
        let certificate = try PEMFiles.readCertificate(certificateFile)
        let key: OpaquePointer
        do {
            key = try PEMFiles.readKey(keyFile)
        } catch {
            X509_free(certificate)
            throw error
        }
        self.init(certificate: certificate, key: key)
    }

    /// Whether this (server) certificate can be kept: signed by `ca`, matching its key,
    /// covering every name, valid for at least one more day.
    func isUsable(issuedBy ca: CertificateAndKey, hostnames: [String], ips: [String]) -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        guard X509_verify(self.certificate, ca.key) == 1,
              X509_check_private_key(self.certificate, self.key) == 1 else { return false }
        var tomorrow = time(nil) + 86_400
        guard X509_cmp_time(X509_get0_notAfter(self.certificate), &tomorrow) > 0 else { return false }
        for name in hostnames where X509_check_host(self.certificate, name, name.utf8.count, 0, nil) != 1 { return false }
        for ip in ips where X509_check_ip_asc(self.certificate, ip, 0) != 1 { return false }
        return true
    }

    /// A new self-signed CA certificate with a new P-256 key.
    static func makeCA(commonName: String) throws -> CertificateAndKey {
        let key = try self.generateKey()
        let certificate = try self.build(
            commonName: commonName, publicKey: key, issuer: nil, issuerKey: key,
            validityDays: DevelopmentCertificates.caValidityDays,
            extensions: [
                (NID_basic_constraints, "critical,CA:TRUE,pathlen:0"),
                (NID_key_usage, "critical,keyCertSign,cRLSign"),
                (NID_subject_key_identifier, "hash"),
            ])
        return CertificateAndKey(certificate: certificate, key: key)
    }

    /// A new certificate and P-256 key signed by `ca`.
    static func issue(by ca: CertificateAndKey, commonName: String, validityDays: Int,
                      extensions: [(Int32, String)]) throws -> CertificateAndKey {
        let key = try self.generateKey()
        do {
            let certificate = try self.build(
                commonName: commonName, publicKey: key, issuer: ca.certificate, issuerKey: ca.key,
                validityDays: validityDays,
                extensions: extensions + [(NID_subject_key_identifier, "hash"), (NID_authority_key_identifier, "keyid:always")])
            return CertificateAndKey(certificate: certificate, key: key)
        } catch {
            EVP_PKEY_free(key)
            throw error
        }
    }

    private static func failure(_ step: String) -> TLSError {
        TLSError(code: .certificateGenerationFailed, message: "cannot create development certificate: \(step) failed",
                 openSSLErrors: OpenSSLErrorQueue.drainTexts())
    }

    private static func generateKey() throws -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nil) else { throw self.failure("EVP_PKEY_CTX_new_id") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(ctx) == 1,
              EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) == 1,
              EVP_PKEY_keygen(ctx, &key) == 1, let key
        else { throw self.failure("generating a P-256 key") }
        return key
    }

    private static func build(commonName: String, publicKey: OpaquePointer, issuer: OpaquePointer?,
                              issuerKey: OpaquePointer, validityDays: Int,
                              extensions: [(Int32, String)]) throws -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let certificate = X509_new() else { throw self.failure("X509_new") }
        var succeeded = false
        defer { if !succeeded { X509_free(certificate) } }

        guard X509_set_version(certificate, 2) == 1 else { throw self.failure("setting the version") }
        // A random positive 128-bit serial number.
        var serialBytes = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&serialBytes, Int32(serialBytes.count)) == 1 else { throw self.failure("RAND_bytes") }
        serialBytes[0] &= 0x7F
        guard let serial = BN_bin2bn(serialBytes, Int32(serialBytes.count), nil) else { throw self.failure("BN_bin2bn") }
        defer { BN_free(serial) }
        guard BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate)) != nil else {
            throw self.failure("setting the serial number")
        }
        // Valid from an hour ago (clock skew) for `validityDays`.
        guard X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil,
              X509_time_adj_ex(X509_getm_notAfter(certificate), Int32(validityDays), 0, nil) != nil
        else { throw self.failure("setting the validity period") }
        guard X509_set_pubkey(certificate, publicKey) == 1 else { throw self.failure("X509_set_pubkey") }

        guard let name = X509_NAME_new() else { throw self.failure("X509_NAME_new") }
        defer { X509_NAME_free(name) }
        guard X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, "Junction development", -1, -1, 0) == 1,
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, commonName, -1, -1, 0) == 1
        else { throw self.failure("setting the subject name \"\(commonName)\"") }
        guard X509_set_subject_name(certificate, name) == 1,
              X509_set_issuer_name(certificate, issuer.map { X509_get_subject_name($0) } ?? name) == 1
        else { throw self.failure("setting subject and issuer") }

        var v3 = X509V3_CTX()
        X509V3_set_ctx(&v3, issuer ?? certificate, certificate, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_nconf_nid(nil, &v3, nid, value) else {
                throw self.failure("building extension \(String(cString: OBJ_nid2sn(nid))) = \(value)")
            }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(certificate, ext, -1) == 1 else { throw self.failure("adding an extension") }
        }
        guard X509_sign(certificate, issuerKey, EVP_sha256()) > 0 else { throw self.failure("signing") }
        succeeded = true
        return certificate
    }
}

/// PEM files: reading certificates and keys, writing them atomically.
enum PEMFiles {
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func makeDirectory(_ path: String) throws {
        var isDirectory = stat()
        if stat(path, &isDirectory) == 0 {
            guard (isDirectory.st_mode & S_IFMT) == S_IFDIR else {
                throw TLSError(code: .fileAccessFailed, message: "cannot use \(path) for certificates: it exists and is not a directory")
            }
            return
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try self.makeDirectory(String(path[..<slash]))
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw TLSError(code: .fileAccessFailed, message: "cannot create directory \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func readCertificate(_ path: String) throws -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let bio = BIO_new_file(path, "r") else {
            throw TLSError(code: .fileAccessFailed, message: "cannot open certificate \(path)", openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        defer { BIO_free(bio) }
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            throw TLSError(code: .certificateLoadFailed, message: "cannot read a PEM certificate from \(path)",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        return certificate
    }

    static func readKey(_ path: String) throws -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let bio = BIO_new_file(path, "r") else {
            throw TLSError(code: .fileAccessFailed, message: "cannot open private key \(path)", openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw TLSError(code: .privateKeyLoadFailed, message: "cannot read a PEM private key from \(path)",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        return key
    }

    static func writeCertificate(_ certificate: OpaquePointer, to path: String) throws {
        try self.writePEM(to: path, mode: 0o644) { PEM_write_bio_X509($0, certificate) == 1 }
    }

    static func writeKey(_ key: OpaquePointer, to path: String) throws {
        try self.writePEM(to: path, mode: 0o600) { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) == 1 }
    }

    /// Renders PEM into memory, writes it to a temporary file with `mode`, renames it over `path`.
    private static func writePEM(to path: String, mode: mode_t, _ render: (OpaquePointer) -> Bool) throws {
        OpenSSLErrorQueue.clear()
        guard let bio = BIO_new(BIO_s_mem()) else { throw TLSError(code: .certificateGenerationFailed, message: "BIO_new failed") }
        defer { BIO_free(bio) }
        guard render(bio) else {
            throw TLSError(code: .certificateGenerationFailed, message: "cannot encode PEM for \(path)",
                           openSSLErrors: OpenSSLErrorQueue.drainTexts())
        }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = CJunctionOpenSSL_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { throw TLSError(code: .certificateGenerationFailed, message: "empty PEM for \(path)") }

        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else {
            throw TLSError(code: .fileAccessFailed, message: "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var offset = 0
        while offset < length {
            let n = posixWrite(fd, data + offset, length - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw TLSError(code: .fileAccessFailed, message: "cannot write \(temporary): \(reason)")
            }
            offset += n
        }
        guard fsync(fd) == 0, close(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TLSError(code: .fileAccessFailed, message: "cannot write \(temporary): \(reason)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TLSError(code: .fileAccessFailed, message: "cannot rename \(temporary) to \(path): \(reason)")
        }
    }
}

private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, bytes, count)
    #else
    return Darwin.write(fd, bytes, count)
    #endif
}
