import Foundation
import Testing
@testable import JunctionTLS

@Suite("TLSContext configuration errors")
struct TLSContextTests {
    let certs = TestCertificates.shared

    @Test("defaults: TLS 1.3 only, ALPN junction/1, 10 s handshake timeout")
    func defaults() throws {
        let configuration = certs.serverConfiguration
        #expect(configuration.minimumVersion == .tls13)
        #expect(configuration.maximumVersion == .tls13)
        #expect(configuration.applicationProtocols == ["junction/1"])
        #expect(configuration.handshakeTimeout == .seconds(10))
        #expect(configuration.certificateVerification == .full)
        _ = try TLSContext(configuration: configuration)
        _ = try TLSContext(configuration: certs.clientConfiguration)
    }

    @Test("a missing private key file is named with the reason")
    func missingKey() {
        let configuration = TLSConfiguration.server(certificateChainFile: certs.dev.serverCertificateFile,
                                                    privateKeyFile: "/nonexistent/key.pem")
        let error = #expect(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error?.code == .privateKeyLoadFailed)
        #expect(error?.description == "cannot read private key file /nonexistent/key.pem: No such file or directory")
    }

    @Test("a file that is not a PEM key is rejected with OpenSSL's reason")
    func garbageKey() throws {
        let path = certs.root + "/garbage-key.pem"
        try "not a key\n".write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = TLSConfiguration.server(certificateChainFile: certs.dev.serverCertificateFile, privateKeyFile: path)
        let error = #expect(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error?.code == .privateKeyLoadFailed)
        #expect(error?.message == "cannot load private key from \(path) (expected an unencrypted PEM key)")
        #expect(error?.openSSLErrors.isEmpty == false)
        #expect(error?.description.hasPrefix("cannot load private key from \(path) (expected an unencrypted PEM key): ") == true)
    }

    @Test("a key that does not belong to the certificate is rejected")
    func mismatchedKey() {
        let configuration = TLSConfiguration.server(certificateChainFile: certs.dev.serverCertificateFile,
                                                    privateKeyFile: certs.other.serverPrivateKeyFile)
        let error = #expect(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error?.code == .privateKeyLoadFailed)
        #expect(error?.message.contains("does not match the certificate") == true)
    }

    @Test("a certificate file that is not PEM is rejected")
    func garbageCertificate() throws {
        let path = certs.root + "/garbage-cert.pem"
        try "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = TLSConfiguration.server(certificateChainFile: path, privateKeyFile: certs.dev.serverPrivateKeyFile)
        let error = #expect(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error?.code == .certificateLoadFailed)
        #expect(error?.message.contains(path) == true)
    }

    @Test("inconsistent configurations are refused before touching files")
    func invalidConfigurations() {
        var noCertificate = TLSConfiguration(role: .server)
        #expect(throws: TLSError.self) { try TLSContext(configuration: noCertificate) }
        noCertificate = certs.serverConfiguration
        noCertificate.requireClientCertificate = true
        let error = #expect(throws: TLSError.self) { try TLSContext(configuration: noCertificate) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("trustedCAFile") == true)

        var versions = certs.clientConfiguration
        versions.minimumVersion = .tls13
        versions.maximumVersion = .tls12
        #expect(throws: TLSError.self) { try TLSContext(configuration: versions) }

        var alpn = certs.clientConfiguration
        alpn.applicationProtocols = [""]
        #expect(throws: TLSError.self) { try TLSContext(configuration: alpn) }

        var missingCA = certs.clientConfiguration
        missingCA.trustedCAFile = "/nonexistent/ca.pem"
        let caError = #expect(throws: TLSError.self) { try TLSContext(configuration: missingCA) }
        #expect(caError?.code == .trustStoreLoadFailed)
    }
}
