import Foundation
import Testing
@testable import JunctionTLS

@Suite("DevelopmentCertificates")
struct DevelopmentCertificatesTests {
    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("creates a CA and a server certificate, then reuses them")
    func createAndReuse() throws {
        let directory = makeTemporaryDirectory(prefix: "junction-devcerts") + "/nested/data"
        let first = try DevelopmentCertificates.generate(into: directory)
        #expect(first.createdCA && first.createdServerCertificate)
        for file in [first.caCertificateFile, first.caPrivateKeyFile, first.serverCertificateFile, first.serverPrivateKeyFile] {
            #expect(FileManager.default.fileExists(atPath: file))
        }
        #expect(first.caCertificateFile == directory + "/ca.pem")
        #expect(first.serverPrivateKeyFile == directory + "/server-key.pem")
        #expect(try mode(first.caPrivateKeyFile) == 0o600)
        #expect(try mode(first.serverPrivateKeyFile) == 0o600)
        let caBefore = try String(contentsOfFile: first.caCertificateFile, encoding: .utf8)
        let serverBefore = try String(contentsOfFile: first.serverCertificateFile, encoding: .utf8)
        #expect(caBefore.hasPrefix("-----BEGIN CERTIFICATE-----"))

        let second = try DevelopmentCertificates.generate(into: directory)
        #expect(!second.createdCA && !second.createdServerCertificate)
        #expect(try String(contentsOfFile: second.caCertificateFile, encoding: .utf8) == caBefore)
        #expect(try String(contentsOfFile: second.serverCertificateFile, encoding: .utf8) == serverBefore)

        // New names: the CA stays, the server certificate is reissued.
        let third = try DevelopmentCertificates.generate(into: directory, hostnames: ["localhost", "junction.test"])
        #expect(!third.createdCA && third.createdServerCertificate)
        #expect(try String(contentsOfFile: third.caCertificateFile, encoding: .utf8) == caBefore)
    }

    @Test("the server certificate carries the requested SANs and is signed by the CA")
    func contents() throws {
        let dev = try DevelopmentCertificates.generate(into: makeTemporaryDirectory(prefix: "junction-devcerts"),
                                                       hostnames: ["localhost", "gw.local"], ips: ["127.0.0.1"])
        let server = try CertificateAndKey(certificateFile: dev.serverCertificateFile, keyFile: dev.serverPrivateKeyFile)
        let ca = try CertificateAndKey(certificateFile: dev.caCertificateFile, keyFile: dev.caPrivateKeyFile)
        #expect(server.isUsable(issuedBy: ca, hostnames: ["localhost", "gw.local"], ips: ["127.0.0.1"]))
        #expect(!server.isUsable(issuedBy: ca, hostnames: ["other.local"], ips: []))
        let identity = X509Inspection.identity(of: server.certificate)
        #expect(identity.commonName == "localhost")
        #expect(identity.dnsNames == ["localhost", "gw.local"])
        #expect(identity.ipAddresses == ["127.0.0.1"])
        #expect(identity.subject == "CN=localhost,O=Junction development")
    }

    @Test("rejects an IP that is not an address, and a path that is a file")
    func invalidInput() throws {
        let directory = makeTemporaryDirectory(prefix: "junction-devcerts")
        let error = #expect(throws: TLSError.self) {
            try DevelopmentCertificates.generate(into: directory, ips: ["localhost"])
        }
        #expect(error?.message.contains("not an IPv4 or IPv6 address") == true)
        try "x".write(toFile: directory + "/file", atomically: true, encoding: .utf8)
        let fileError = #expect(throws: TLSError.self) { try DevelopmentCertificates.generate(into: directory + "/file") }
        #expect(fileError?.message.contains("is not a directory") == true)
    }
}
