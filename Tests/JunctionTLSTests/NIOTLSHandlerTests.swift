import NIOCore
import NIOEmbedded
import Testing
@testable import JunctionTLS

@Suite("NIOTLSHandler over EmbeddedChannel")
struct NIOTLSHandlerTests {
    let certs = TestCertificates.shared

    @Test("handshake completes, ALPN junction/1 negotiated, data flows both ways")
    func handshakeAndData() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration)
        defer { pair.finish() }
        try pair.connect()

        #expect(pair.clientRecorder.events == [.handshakeCompleted(negotiatedALPN: "junction/1")])
        #expect(pair.serverRecorder.events == [.handshakeCompleted(negotiatedALPN: "junction/1")])
        #expect(pair.serverHandler.protocolVersion == "TLSv1.3")
        #expect(pair.clientHandler.negotiatedALPN == "junction/1")
        #expect(pair.clientRecorder.errors.isEmpty && pair.serverRecorder.errors.isEmpty)
        // The client sees the server's identity.
        let server = try #require(pair.clientHandler.peerIdentity)
        #expect(server.commonName == "localhost")
        #expect(server.dnsNames == ["localhost"])
        #expect(server.ipAddresses == ["127.0.0.1", "::1"])
        #expect(server.isVerified)
        #expect(pair.serverHandler.peerIdentity == nil)

        try pair.client.writeAndFlush(ByteBuffer(string: "ping from client")).wait()
        try pair.pump()
        #expect(pair.serverRecorder.received == ByteBuffer(string: "ping from client"))

        try pair.server.writeAndFlush(ByteBuffer(string: "pong from server")).wait()
        try pair.pump()
        #expect(pair.clientRecorder.received == ByteBuffer(string: "pong from server"))
    }

    @Test("writes before the handshake completes are buffered and delivered after it")
    func writesBeforeHandshake() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration)
        defer { pair.finish() }
        try pair.server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try pair.client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let written = pair.client.writeAndFlush(ByteBuffer(string: "early"))
        #expect(pair.clientHandler.isHandshakeComplete == false)
        try pair.pump()
        try written.wait()
        #expect(pair.serverRecorder.received == ByteBuffer(string: "early"))
    }

    @Test("a write larger than 16 KiB arrives intact, in one socket write and one channelRead")
    func largeWrite() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration)
        defer { pair.finish() }
        try pair.connect()
        pair.resetWriteCounts()
        let payload = ByteBuffer.pattern(100_000)
        let readsBefore = pair.serverRecorder.channelReads
        try pair.client.writeAndFlush(payload).wait()
        try pair.pump()
        #expect(pair.clientWrites.count == 1)
        #expect(pair.serverRecorder.received == payload)
        #expect(pair.serverRecorder.channelReads == readsBefore + 1)
        // 100,000 bytes need 7 records of at most 16 KiB: 22 bytes of overhead each in TLS 1.3.
        #expect(pair.clientWrites[0] == 100_000 + 7 * 22)
    }

    @Test("64 small writes between flushes become one 16 KiB record in one socket write")
    func smallWritesCoalesced() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration)
        defer { pair.finish() }
        try pair.connect()
        pair.resetWriteCounts()
        var expected = ByteBuffer()
        var promises: [EventLoopFuture<Void>] = []
        for i in 0..<64 {
            var event = ByteBuffer.pattern(256, seed: UInt8(i))
            promises.append(pair.client.write(event))
            expected.writeBuffer(&event)
        }
        pair.client.flush()
        try pair.pump()
        for promise in promises { try promise.wait() }
        #expect(pair.clientWrites == [16_384 + 22])
        #expect(pair.serverRecorder.received == expected)
        // Three flushes: three socket writes, each one record.
        pair.resetWriteCounts()
        for _ in 0..<3 {
            for _ in 0..<10 { pair.client.write(ByteBuffer.pattern(256), promise: nil) }
            pair.client.flush()
        }
        try pair.pump()
        #expect(pair.clientWrites == [2560 + 22, 2560 + 22, 2560 + 22])
    }

    @Test("mixed small and large writes keep their order")
    func mixedWritesOrder() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration)
        defer { pair.finish() }
        try pair.connect()
        var expected = ByteBuffer()
        for (i, size) in [10, 40_000, 300, 16_384, 1, 70_000, 5].enumerated() {
            var part = ByteBuffer.pattern(size, seed: UInt8(i))
            pair.server.write(part, promise: nil)
            expected.writeBuffer(&part)
        }
        pair.server.flush()
        try pair.pump()
        #expect(pair.clientRecorder.received == expected)
    }

    @Test("close sends close_notify; the peer answers and both channels close")
    func closeNotify() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration)
        defer { pair.finish() }
        try pair.connect()
        try pair.client.writeAndFlush(ByteBuffer(string: "last words")).wait()
        let closed = pair.client.close()
        try pair.pump()
        try closed.wait()
        #expect(pair.serverRecorder.received == ByteBuffer(string: "last words"))
        #expect(pair.serverRecorder.events.contains(.closeNotifyReceived))
        #expect(!pair.server.isActive)
        #expect(!pair.client.isActive)
        #expect(pair.serverRecorder.errors.isEmpty)
        // The client's last socket write was a close_notify alert record (content type 21 in
        // TLS 1.2 framing, disguised as application data in 1.3: 5 + 2 + 1 + 16 bytes).
        #expect(pair.clientWrites.last == 24)
    }

    @Test("plaintext HTTP on the TLS port fails that connection with a clear error")
    func plaintextHTTP() throws {
        let server = try TLSContext(configuration: certs.serverConfiguration)
        let recorder = Recorder()
        let channel = EmbeddedChannel(handlers: [NIOTLSHandler(context: server), recorder])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
        let error = try #require(recorder.tlsErrors.first)
        #expect(error.code == .plaintextPeer)
        #expect(error.message.contains("TLS handshake failed"))
        #expect(error.message.contains("plaintext"))
        #expect(!channel.isActive)
        #expect(recorder.received.readableBytes == 0)
    }

    @Test("a raw protobuf frame on the TLS port fails with 'is the client speaking plaintext?'")
    func plaintextFrame() throws {
        let server = try TLSContext(configuration: certs.serverConfiguration)
        let recorder = Recorder()
        let channel = EmbeddedChannel(handlers: [NIOTLSHandler(context: server), recorder])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        // flag 0, length 6, then a protobuf message (field 1, string "hello").
        try channel.writeInbound(ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x00, 0x07, 0x0A, 0x05, 0x68, 0x65, 0x6C, 0x6C, 0x6F]))
        let error = try #require(recorder.tlsErrors.first)
        #expect(error.code == .plaintextPeer)
        #expect(error.message.contains("(is the client speaking plaintext?)"))
        #expect(!error.openSSLErrors.isEmpty)
        #expect(!channel.isActive)
    }

    @Test("a server certificate from an untrusted CA is rejected by the client")
    func untrustedCertificate() throws {
        let server = TLSConfiguration.server(certificateChainFile: certs.other.serverCertificateFile,
                                             privateKeyFile: certs.other.serverPrivateKeyFile)
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: server)
        defer { pair.finish() }
        try pair.connect()
        let error = try #require(pair.clientRecorder.tlsErrors.first)
        #expect(error.code == .certificateVerificationFailed)
        #expect(error.message.contains("server's certificate was rejected"))
        #expect(pair.clientRecorder.events.isEmpty)
        #expect(!pair.client.isActive)
        // The server learns why from the alert.
        let serverError = try #require(pair.serverRecorder.tlsErrors.first)
        #expect(serverError.code == .certificateVerificationFailed)
        #expect(serverError.message.contains("rejected this side's certificate"))
        #expect(!pair.server.isActive)
    }

    @Test("a hostname that is not in the certificate is rejected")
    func hostnameMismatch() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration,
                                       serverName: "gateway.example.com")
        defer { pair.finish() }
        try pair.connect()
        let error = try #require(pair.clientRecorder.tlsErrors.first)
        #expect(error.code == .certificateVerificationFailed)
        #expect(error.message.contains("hostname mismatch"))
        #expect(error.message.contains("expected gateway.example.com"))
        #expect(!pair.client.isActive)
    }

    @Test("IP addresses are verified against IP SANs", arguments: ["127.0.0.1", "::1"])
    func ipAddressVerified(address: String) throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration,
                                       serverName: address)
        defer { pair.finish() }
        try pair.connect()
        #expect(pair.clientRecorder.errors.isEmpty)
        #expect(pair.clientHandler.isHandshakeComplete)
    }

    @Test("an IP address that is not in the certificate is rejected")
    func ipAddressMismatch() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration,
                                       serverName: "192.0.2.7")
        defer { pair.finish() }
        try pair.connect()
        let error = try #require(pair.clientRecorder.tlsErrors.first)
        #expect(error.code == .certificateVerificationFailed)
        #expect(error.message.contains("IP address mismatch"))
    }

    @Test("verification can be turned off for tests")
    func insecureVerification() throws {
        var client = TLSConfiguration.client(serverName: nil)
        client.certificateVerification = .insecureNoVerificationForTestsOnly
        let server = TLSConfiguration.server(certificateChainFile: certs.other.serverCertificateFile,
                                             privateKeyFile: certs.other.serverPrivateKeyFile)
        let pair = try EmbeddedTLSPair(client: client, server: server)
        defer { pair.finish() }
        try pair.connect()
        #expect(pair.clientHandler.isHandshakeComplete)
        #expect(pair.clientHandler.peerIdentity?.isVerified == false)
    }

    // MARK: mutual TLS

    private func mutualServer(required: Bool) -> TLSConfiguration {
        var server = certs.serverConfiguration
        server.trustedCAFile = certs.dev.caCertificateFile
        server.requireClientCertificate = required
        return server
    }

    private func clientWithCertificate(_ certificate: String, _ key: String) -> TLSConfiguration {
        var client = certs.clientConfiguration
        client.certificateChainFile = certificate
        client.privateKeyFile = key
        return client
    }

    @Test("mTLS required: a client certificate from the trusted CA is accepted and its identity exposed")
    func mutualTLSAccepted() throws {
        let pair = try EmbeddedTLSPair(client: clientWithCertificate(certs.clientCertificate, certs.clientKey),
                                       server: mutualServer(required: true))
        defer { pair.finish() }
        try pair.connect()
        #expect(pair.serverRecorder.errors.isEmpty)
        let identity = try #require(pair.serverHandler.peerIdentity)
        #expect(identity.commonName == "producer-1")
        #expect(identity.uris == ["spiffe://junction/producer-1"])
        #expect(identity.subject.contains("CN=producer-1"))
        #expect(identity.isVerified)
    }

    @Test("mTLS required: a client without a certificate is rejected")
    func mutualTLSMissingCertificate() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: mutualServer(required: true))
        defer { pair.finish() }
        try pair.connect()
        let error = try #require(pair.serverRecorder.tlsErrors.first)
        #expect(error.code == .certificateVerificationFailed)
        #expect(error.message.contains("client sent no certificate"))
        #expect(!pair.server.isActive)
        // In TLS 1.3 the client finishes first and learns from the alert.
        let clientError = try #require(pair.clientRecorder.tlsErrors.first)
        #expect(clientError.message.contains("certificate"))
        #expect(!pair.client.isActive)
    }

    @Test("mTLS: a client certificate from another CA is rejected")
    func mutualTLSUntrustedClient() throws {
        let pair = try EmbeddedTLSPair(client: clientWithCertificate(certs.otherClientCertificate, certs.otherClientKey),
                                       server: mutualServer(required: false))
        defer { pair.finish() }
        try pair.connect()
        let error = try #require(pair.serverRecorder.tlsErrors.first)
        #expect(error.code == .certificateVerificationFailed)
        #expect(error.message.contains("client's certificate was rejected"))
        #expect(!pair.server.isActive)
    }

    @Test("mTLS optional: a client without a certificate is accepted, with no identity")
    func mutualTLSOptional() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: mutualServer(required: false))
        defer { pair.finish() }
        try pair.connect()
        #expect(pair.serverRecorder.errors.isEmpty)
        #expect(pair.serverHandler.isHandshakeComplete)
        #expect(pair.serverHandler.peerIdentity == nil)
    }

    // MARK: versions and ALPN

    @Test("TLS 1.2 is refused by default and accepted when the server allows it")
    func tls12() throws {
        var client = certs.clientConfiguration
        client.minimumVersion = .tls12
        client.maximumVersion = .tls12
        do {
            let pair = try EmbeddedTLSPair(client: client, server: certs.serverConfiguration)
            defer { pair.finish() }
            try pair.connect()
            let error = try #require(pair.serverRecorder.tlsErrors.first)
            #expect(error.message.contains("TLS 1.3 to TLS 1.3"))
            #expect(!pair.server.isActive)
        }
        var server = certs.serverConfiguration
        server.minimumVersion = .tls12
        let pair = try EmbeddedTLSPair(client: client, server: server)
        defer { pair.finish() }
        try pair.connect()
        #expect(pair.serverRecorder.errors.isEmpty)
        #expect(pair.serverHandler.protocolVersion == "TLSv1.2")
        #expect(pair.serverHandler.cipherSuite?.contains("GCM") == true)
        #expect(pair.serverRecorder.events == [.handshakeCompleted(negotiatedALPN: "junction/1")])
        try pair.client.writeAndFlush(ByteBuffer.pattern(40_000)).wait()
        try pair.pump()
        #expect(pair.serverRecorder.received == ByteBuffer.pattern(40_000))
    }

    @Test("a client offering ALPN without junction/1 is rejected")
    func alpnMismatch() throws {
        var client = certs.clientConfiguration
        client.applicationProtocols = ["h2", "http/1.1"]
        let pair = try EmbeddedTLSPair(client: client, server: certs.serverConfiguration)
        defer { pair.finish() }
        try pair.connect()
        let error = try #require(pair.serverRecorder.tlsErrors.first)
        #expect(error.code == .noApplicationProtocol)
        #expect(error.message.contains("junction/1"))
        #expect(pair.clientRecorder.tlsErrors.first?.code == .noApplicationProtocol)
        #expect(!pair.server.isActive)
    }

    @Test("a client offering no ALPN is accepted by default and refused when ALPN is required")
    func noALPN() throws {
        var client = certs.clientConfiguration
        client.applicationProtocols = []
        do {
            let pair = try EmbeddedTLSPair(client: client, server: certs.serverConfiguration)
            defer { pair.finish() }
            try pair.connect()
            #expect(pair.serverRecorder.events == [.handshakeCompleted(negotiatedALPN: nil)])
        }
        var server = certs.serverConfiguration
        server.requireApplicationProtocol = true
        let pair = try EmbeddedTLSPair(client: client, server: server)
        defer { pair.finish() }
        try pair.connect()
        let error = try #require(pair.serverRecorder.tlsErrors.first)
        #expect(error.code == .noApplicationProtocol)
        #expect(error.message.contains("offered no ALPN"))
        #expect(pair.serverRecorder.events.isEmpty)
        #expect(!pair.server.isActive)
    }

    // MARK: timeouts and aborts

    @Test("a stalled handshake is closed after the timeout, on the injected clock")
    func handshakeTimeout() throws {
        var configuration = certs.serverConfiguration
        configuration.handshakeTimeout = .seconds(10)
        let recorder = Recorder()
        let channel = EmbeddedChannel(handlers: [NIOTLSHandler(context: try TLSContext(configuration: configuration)), recorder])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        // Half a ClientHello record header: the handshake can never finish.
        try channel.writeInbound(ByteBuffer(bytes: [0x16, 0x03, 0x01]))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        #expect(recorder.errors.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        let error = try #require(recorder.tlsErrors.first)
        #expect(error.code == .handshakeTimeout)
        #expect(error.message.contains("did not complete within 10.0 s"))
        #expect(!channel.isActive)
    }

    @Test("the handshake timer is cancelled once the handshake completes")
    func timerCancelled() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration)
        defer { pair.finish() }
        try pair.connect()
        pair.server.embeddedEventLoop.advanceTime(by: .seconds(60))
        pair.client.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(pair.server.isActive && pair.client.isActive)
        #expect(pair.serverRecorder.errors.isEmpty && pair.clientRecorder.errors.isEmpty)
    }

    @Test("a peer that disconnects mid-handshake is reported")
    func disconnectDuringHandshake() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handlers: [NIOTLSHandler(context: try TLSContext(configuration: certs.serverConfiguration)), recorder])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.pipeline.fireChannelInactive()
        let error = try #require(recorder.tlsErrors.first)
        #expect(error.message.contains("closed the connection during the handshake"))
    }

    @Test("writes after close fail; buffered writes fail when the handshake fails")
    func writesFailAfterFailure() throws {
        let server = TLSConfiguration.server(certificateChainFile: certs.other.serverCertificateFile,
                                             privateKeyFile: certs.other.serverPrivateKeyFile)
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: server)
        defer { pair.finish() }
        try pair.server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try pair.client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let early = pair.client.writeAndFlush(ByteBuffer(string: "never sent"))
        try pair.pump()
        #expect(throws: TLSError.self) { try early.wait() }
        #expect(throws: (any Error).self) { try pair.client.writeAndFlush(ByteBuffer(string: "late")).wait() }
    }
}
