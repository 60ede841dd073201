import NIOCore
import NIOEmbedded
import Testing
@testable import JunctionTLS

/// Counts `read()` requests that reach the socket end of the pipeline.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var reads = 0

    func read(context: ChannelHandlerContext) {
        self.reads += 1
        context.read()
    }
}

@Suite("NIOTLSHandler data path")
struct NIOTLSHandlerDataPathTests {
    let certs = TestCertificates.shared

    /// A handshaken client whose ciphertext output is returned instead of delivered,
    /// and a server channel built with `serverHandlers` around its NIOTLSHandler.
    private func handshaken(
        serverConfiguration: TLSConfiguration? = nil
    ) throws -> (pair: EmbeddedTLSPair, readCounter: ReadCounter) {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: serverConfiguration ?? certs.serverConfiguration)
        let counter = ReadCounter()
        try pair.server.pipeline.syncOperations.addHandler(counter, position: .first)
        try pair.connect()
        return (pair, counter)
    }

    private func clientCiphertext(_ pair: EmbeddedTLSPair, _ plaintext: ByteBuffer) throws -> ByteBuffer {
        try pair.client.writeAndFlush(plaintext).wait()
        var all = ByteBuffer()
        while var part = try pair.client.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&part) }
        return all
    }

    @Test("records arriving in several reads of one batch are delivered as one channelRead")
    func oneChannelReadPerBatch() throws {
        let (pair, _) = try handshaken()
        defer { pair.finish() }
        var ciphertext = ByteBuffer()
        for i in 0..<3 {
            var part = try clientCiphertext(pair, ByteBuffer.pattern(1000, seed: UInt8(i)))
            ciphertext.writeBuffer(&part)
        }
        let readsBefore = pair.serverRecorder.channelReads
        let completesBefore = pair.serverRecorder.readCompletes
        // Three socket reads of odd sizes, then one readComplete.
        let cut1 = 700, cut2 = 2100
        pair.server.pipeline.fireChannelRead(ciphertext.getSlice(at: 0, length: cut1)!)
        pair.server.pipeline.fireChannelRead(ciphertext.getSlice(at: cut1, length: cut2 - cut1)!)
        pair.server.pipeline.fireChannelRead(ciphertext.getSlice(at: cut2, length: ciphertext.readableBytes - cut2)!)
        #expect(pair.serverRecorder.channelReads == readsBefore)  // nothing before readComplete
        pair.server.pipeline.fireChannelReadComplete()
        #expect(pair.serverRecorder.channelReads == readsBefore + 1)
        #expect(pair.serverRecorder.readCompletes == completesBefore + 1)
        var expected = ByteBuffer()
        for i in 0..<3 { var p = ByteBuffer.pattern(1000, seed: UInt8(i)); expected.writeBuffer(&p) }
        #expect(pair.serverRecorder.received == expected)
    }

    @Test("ciphertext delivered one byte at a time still completes the handshake and the data")
    func byteByByte() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration)
        defer { pair.finish() }
        try pair.server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try pair.client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let written = pair.client.writeAndFlush(ByteBuffer(string: "tiny pieces"))
        var moved = true
        while moved {
            moved = false
            while let data = try pair.client.readOutbound(as: ByteBuffer.self) {
                moved = true
                for i in 0..<data.readableBytes { try pair.server.writeInbound(data.getSlice(at: data.readerIndex + i, length: 1)!) }
            }
            while let data = try pair.server.readOutbound(as: ByteBuffer.self) {
                moved = true
                for i in 0..<data.readableBytes { try pair.client.writeInbound(data.getSlice(at: data.readerIndex + i, length: 1)!) }
            }
        }
        try written.wait()
        #expect(pair.serverRecorder.received == ByteBuffer(string: "tiny pieces"))
        #expect(pair.serverRecorder.errors.isEmpty && pair.clientRecorder.errors.isEmpty)
    }

    @Test("with autoRead off, a partial record makes the handler ask for another read")
    func partialRecordRequestsRead() throws {
        let (pair, counter) = try handshaken()
        defer { pair.finish() }
        let ciphertext = try clientCiphertext(pair, ByteBuffer.pattern(5000))
        // The application asks for data once.
        pair.server.read()
        let readsAfterRequest = counter.reads
        // Half a record: no plaintext, so the handler must ask the socket again itself.
        try pair.server.writeInbound(ciphertext.getSlice(at: 0, length: 100)!)
        #expect(pair.serverRecorder.received.readableBytes == 0)
        #expect(counter.reads == readsAfterRequest + 1)
        // The rest: plaintext delivered; the handler does not read on the application's behalf.
        try pair.server.writeInbound(ciphertext.getSlice(at: 100, length: ciphertext.readableBytes - 100)!)
        #expect(pair.serverRecorder.received == ByteBuffer.pattern(5000))
        #expect(counter.reads == readsAfterRequest + 1)
    }

    @Test("data and close_notify in the same read are both handled, data first")
    func dataThenCloseNotifyInOneRead() throws {
        let (pair, _) = try handshaken()
        defer { pair.finish() }
        try pair.client.writeAndFlush(ByteBuffer(string: "goodbye")).wait()
        _ = pair.client.close()
        var ciphertext = ByteBuffer()
        while var part = try pair.client.readOutbound(as: ByteBuffer.self) { ciphertext.writeBuffer(&part) }
        try pair.server.writeInbound(ciphertext)
        #expect(pair.serverRecorder.received == ByteBuffer(string: "goodbye"))
        #expect(pair.serverRecorder.events.last == .closeNotifyReceived)
        #expect(!pair.server.isActive)
        // The server answered with its own close_notify before closing.
        let reply = try #require(try pair.server.readOutbound(as: ByteBuffer.self))
        #expect(reply.readableBytes == 24)
    }

    @Test("a corrupted record after the handshake fails that connection")
    func corruptRecord() throws {
        let (pair, _) = try handshaken()
        defer { pair.finish() }
        var ciphertext = try clientCiphertext(pair, ByteBuffer.pattern(200))
        let index = ciphertext.readerIndex + 50
        ciphertext.setInteger(ciphertext.getInteger(at: index, as: UInt8.self)! ^ 0xFF, at: index)
        try pair.server.writeInbound(ciphertext)
        let error = try #require(pair.serverRecorder.tlsErrors.first)
        #expect(error.code == .readFailed)
        #expect(error.message.contains("TLS read from the client failed"))
        #expect(error.description.contains("bad record mac") || error.description.contains("decryption failed"))
        #expect(pair.serverRecorder.received.readableBytes == 0)
        #expect(!pair.server.isActive)
    }

    @Test("the session facts and identity are set only after the handshake")
    func sessionFacts() throws {
        let pair = try EmbeddedTLSPair(client: certs.clientConfiguration, server: certs.serverConfiguration)
        defer { pair.finish() }
        #expect(!pair.serverHandler.isHandshakeComplete)
        #expect(pair.serverHandler.protocolVersion == nil)
        #expect(pair.clientHandler.role == .client)
        #expect(pair.serverHandler.role == .server)
        try pair.connect()
        #expect(pair.serverHandler.isHandshakeComplete)
        #expect(pair.serverHandler.cipherSuite == "TLS_AES_256_GCM_SHA384")
        #expect(pair.clientHandler.peerIdentity?.dnsNames == ["localhost"])
    }
}
