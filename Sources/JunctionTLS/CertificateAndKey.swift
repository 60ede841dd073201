internal import COpenSSL
internal import CJunctionOpenSSLShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
