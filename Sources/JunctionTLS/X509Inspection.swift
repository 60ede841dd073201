internal import COpenSSL
internal import CJunctionOpenSSLShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads names out of an `X509 *` (subject, CN, subjectAltName entries).
enum X509Inspection {
    /// The identity in `certificate`; ``TLSPeerIdentity/isVerified`` is left `false`
    /// for the caller to set.
    static func identity(of certificate: OpaquePointer) -> TLSPeerIdentity {
        var identity = TLSPeerIdentity(subject: "", commonName: nil, isVerified: false)
        if let name = X509_get_subject_name(certificate) {
            identity.subject = self.rfc2253(name)
            identity.commonName = self.commonName(name)
        }
        guard let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else { return identity }
        let names = OpaquePointer(raw)
        defer { CJunctionOpenSSL_GENERAL_NAMES_free(names) }
        for index in 0..<CJunctionOpenSSL_sk_GENERAL_NAME_num(names) {
            guard let entry = CJunctionOpenSSL_sk_GENERAL_NAME_value(names, index) else { continue }
            switch CJunctionOpenSSL_GENERAL_NAME_type(entry) {
            case GEN_DNS:
                if let text = self.string(CJunctionOpenSSL_GENERAL_NAME_ia5(entry)) { identity.dnsNames.append(text) }
            case GEN_URI:
                if let text = self.string(CJunctionOpenSSL_GENERAL_NAME_ia5(entry)) { identity.uris.append(text) }
            case GEN_EMAIL:
                if let text = self.string(CJunctionOpenSSL_GENERAL_NAME_ia5(entry)) { identity.emailAddresses.append(text) }
            case GEN_IPADD:
                if let text = self.ipAddress(CJunctionOpenSSL_GENERAL_NAME_ip(entry)) { identity.ipAddresses.append(text) }
            default:
                continue
            }
        }
        return identity
    }

    static func commonName(_ name: OpaquePointer) -> String? {
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index),
              let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>? = nil
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else { return nil }
        defer { CJunctionOpenSSL_OPENSSL_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }

    static func rfc2253(_ name: OpaquePointer) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, CJunctionOpenSSL_XN_FLAG_RFC2253()) >= 0 else { return "" }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = CJunctionOpenSSL_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { return "" }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    private static func string(_ value: UnsafePointer<ASN1_STRING>?) -> String? {
        guard let value, let bytes = ASN1_STRING_get0_data(value) else { return nil }
        let length = Int(ASN1_STRING_length(value))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    private static func ipAddress(_ value: UnsafePointer<ASN1_STRING>?) -> String? {
        guard let value, let bytes = ASN1_STRING_get0_data(value) else { return nil }
        let length = Int(ASN1_STRING_length(value))
        let family: Int32
        switch length {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return nil }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
