import Foundation
import NIOCore
import NIOEmbedded
@testable import JunctionTLS

/// Certificates shared by the tests, generated once per test process into a temporary
/// directory: the development CA and server certificate, a client certificate signed
/// by that CA, and a second, unrelated CA with its own server certificate.
struct TestCertificates: Sendable {
    let root: String
    let dev: DevelopmentCertificates
    let clientCertificate: String
    let clientKey: String
    let other: DevelopmentCertificates
    let otherClientCertificate: String
    let otherClientKey: String

    static let shared: TestCertificates = {
        let root = makeTemporaryDirectory(prefix: "junction-tls-tests")
        do {
            let dev = try DevelopmentCertificates.generate(into: root + "/dev")
            try dev.issueClientCertificate(commonName: "producer-1", certificateFile: root + "/client.pem",
                                           privateKeyFile: root + "/client-key.pem",
                                           uris: ["spiffe://junction/producer-1"])
            let other = try DevelopmentCertificates.generate(into: root + "/other")
            try other.issueClientCertificate(commonName: "intruder", certificateFile: root + "/other-client.pem",
                                             privateKeyFile: root + "/other-client-key.pem")
            return TestCertificates(root: root, dev: dev, clientCertificate: root + "/client.pem",
                                    clientKey: root + "/client-key.pem", other: other,
                                    otherClientCertificate: root + "/other-client.pem",
                                    otherClientKey: root + "/other-client-key.pem")
        } catch {
            fatalError("cannot create test certificates: \(error)")
        }
    }()

    var serverConfiguration: TLSConfiguration {
        .server(certificateChainFile: self.dev.serverCertificateFile, privateKeyFile: self.dev.serverPrivateKeyFile)
    }

    var clientConfiguration: TLSConfiguration {
        .client(serverName: "localhost", trustedCAFile: self.dev.caCertificateFile)
    }
}

/// One directory per test process for all generated files, removed when the process exits.
private let testProcessDirectory: String = {
    var template = Array("\(NSTemporaryDirectory())/junction-tls-tests-XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { fatalError("mkdtemp failed: \(errno)") }
    atexit { try? FileManager.default.removeItem(atPath: testProcessDirectory) }
    return String(cString: path)
}()

/// A new empty directory inside this test process's directory.
func makeTemporaryDirectory(prefix: String) -> String {
    var template = Array("\(testProcessDirectory)/\(prefix)-XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { fatalError("mkdtemp failed: \(errno)") }
    return String(cString: path)
}

/// Records what reaches the end of a pipeline.
final class Recorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    var received = ByteBuffer()
    var channelReads = 0
    var readCompletes = 0
    var events: [TLSUserEvent] = []
    var errors: [any Error] = []

    var tlsErrors: [TLSError] { self.errors.compactMap { $0 as? TLSError } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = self.unwrapInboundIn(data)
        self.channelReads += 1
        self.received.writeBuffer(&buffer)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.readCompletes += 1
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent { self.events.append(event) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.errors.append(error)
    }
}

/// A TLS client and server on two `EmbeddedChannel`s, with a pump that moves
/// ciphertext between them in memory.
final class EmbeddedTLSPair {
    let client: EmbeddedChannel
    let server: EmbeddedChannel
    let clientHandler: NIOTLSHandler
    let serverHandler: NIOTLSHandler
    let clientRecorder = Recorder()
    let serverRecorder = Recorder()
    /// Socket writes (outbound ByteBuffers) each side produced, in order.
    private(set) var clientWrites: [Int] = []
    private(set) var serverWrites: [Int] = []

    init(client clientConfiguration: TLSConfiguration, server serverConfiguration: TLSConfiguration,
         serverName: String? = nil) throws {
        self.clientHandler = NIOTLSHandler(context: try TLSContext(configuration: clientConfiguration), serverName: serverName)
        self.serverHandler = NIOTLSHandler(context: try TLSContext(configuration: serverConfiguration))
        self.client = EmbeddedChannel(handlers: [self.clientHandler, self.clientRecorder])
        self.server = EmbeddedChannel(handlers: [self.serverHandler, self.serverRecorder])
    }

    /// Connects both channels (server first, like a real accept) and pumps the handshake.
    func connect() throws {
        try self.server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9001)).wait()
        try self.client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9001)).wait()
        try self.pump()
    }

    /// Moves ciphertext both ways until neither side has anything more to send.
    func pump() throws {
        var moved = true
        while moved {
            moved = false
            while let data = try self.client.readOutbound(as: ByteBuffer.self) {
                self.clientWrites.append(data.readableBytes)
                moved = true
                if self.server.isActive { try self.server.writeInbound(data) }
            }
            while let data = try self.server.readOutbound(as: ByteBuffer.self) {
                self.serverWrites.append(data.readableBytes)
                moved = true
                if self.client.isActive { try self.client.writeInbound(data) }
            }
        }
    }

    func resetWriteCounts() {
        self.clientWrites = []
        self.serverWrites = []
    }

    func finish() {
        _ = try? self.client.finish(acceptAlreadyClosed: true)
        _ = try? self.server.finish(acceptAlreadyClosed: true)
    }
}

extension ByteBuffer {
    /// `count` bytes of a repeating pattern, so corruption or reordering shows.
    static func pattern(_ count: Int, seed: UInt8 = 0) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        for i in 0..<count { buffer.writeInteger(UInt8(truncatingIfNeeded: i &* 31 &+ Int(seed))) }
        return buffer
    }
}
