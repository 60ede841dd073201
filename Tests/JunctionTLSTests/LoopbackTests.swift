import Foundation
import NIOCore
import NIOPosix
import Testing
import JunctionTLS

/// Echoes every plaintext buffer back.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}

/// Collects plaintext until `expected` bytes arrived.
final class CollectingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let expected: Int
    private let done: EventLoopPromise<ByteBuffer>
    private var buffer = ByteBuffer()
    private var finished = false

    init(expected: Int, done: EventLoopPromise<ByteBuffer>) {
        self.expected = expected
        self.done = done
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = self.unwrapInboundIn(data)
        self.buffer.writeBuffer(&part)
        if self.buffer.readableBytes >= self.expected, !self.finished {
            self.finished = true
            self.done.succeed(self.buffer)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !self.finished {
            self.finished = true
            self.done.fail(error)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !self.finished {
            self.finished = true
            self.done.fail(ChannelError.eof)
        }
    }
}

/// A TLS echo server on 127.0.0.1 with an OS-assigned port.
struct LoopbackEchoServer {
    let group: MultiThreadedEventLoopGroup
    let channel: Channel
    var port: Int { self.channel.localAddress!.port! }

    static func start(configuration: TLSConfiguration) async throws -> LoopbackEchoServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let context = try TLSContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOTLSHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return LoopbackEchoServer(group: group, channel: channel)
    }

    func stop() async throws {
        try await self.channel.close()
        try await self.group.shutdownGracefully()
    }
}

private let opensslPath: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

private let pythonPath: String? = {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let candidate = "\(directory)/python3"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}()

@Suite("TLS over loopback sockets")
struct LoopbackTests {
    let certs = TestCertificates.shared

    @Test("NIOPosix client and server echo 1 MiB through NIOTLSHandler on 127.0.0.1")
    func echoOverLoopback() async throws {
        let server = try await LoopbackEchoServer.start(configuration: certs.serverConfiguration)
        let clientContext = try TLSContext(configuration: certs.clientConfiguration)
        let payload = ByteBuffer.pattern(1 << 20)
        let done = server.group.next().makePromise(of: ByteBuffer.self)
        let client = try await ClientBootstrap(group: server.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOTLSHandler(context: clientContext))
                    try channel.pipeline.syncOperations.addHandler(CollectingHandler(expected: payload.readableBytes, done: done))
                }
            }
            .connect(host: "127.0.0.1", port: server.port).get()
        try await client.writeAndFlush(payload)
        let echoed = try await done.futureResult.get()
        #expect(echoed == payload)
        let (alpn, version) = try await client.eventLoop.submit {
            let tls = try client.pipeline.syncOperations.handler(type: NIOTLSHandler.self)
            return (tls.negotiatedALPN, tls.protocolVersion)
        }.get()
        #expect(alpn == "junction/1")
        #expect(version == "TLSv1.3")
        try await client.close()
        try await server.stop()
    }

    @Test("a Python ssl client interoperates (TLS 1.3, ALPN, verification, echo)",
          .enabled(if: pythonPath != nil, "python3 not found"))
    func pythonClient() async throws {
        let server = try await LoopbackEchoServer.start(configuration: certs.serverConfiguration)
        defer { Task { try? await server.stop() } }
        let script = """
        import socket, ssl, sys
        port, ca, alpn = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        ctx = ssl.create_default_context(cafile=ca)
        if alpn:
            ctx.set_alpn_protocols([alpn])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                    payload = bytes(range(256)) * 400
                    tls.sendall(payload)
                    got = b""
                    while len(got) < len(payload):
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        got += chunk
                    print(tls.version(), tls.selected_alpn_protocol(), got == payload)
        except ssl.SSLError as e:
            print("SSLError", e.reason or str(e))
        """
        func run(_ ca: String, _ alpn: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: pythonPath!)
            process.arguments = ["-c", script, String(server.port), ca, alpn]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let withALPN = try run(certs.dev.caCertificateFile, "junction/1")
        #expect(withALPN == "TLSv1.3 junction/1 True")
        let withoutALPN = try run(certs.dev.caCertificateFile, "")
        #expect(withoutALPN == "TLSv1.3 None True")
        let wrongALPN = try run(certs.dev.caCertificateFile, "h2")
        #expect(wrongALPN.hasPrefix("SSLError"), "\(wrongALPN)")
        let untrusted = try run(certs.other.caCertificateFile, "junction/1")
        #expect(untrusted == "SSLError CERTIFICATE_VERIFY_FAILED")
    }

    @Test("a plaintext client on the TLS port is closed without affecting a TLS client")
    func plaintextOverLoopback() async throws {
        let server = try await LoopbackEchoServer.start(configuration: certs.serverConfiguration)
        // Plaintext: the server answers with an alert and closes.
        let closed = server.group.next().makePromise(of: ByteBuffer.self)
        let plain = try await ClientBootstrap(group: server.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(CollectingHandler(expected: Int.max, done: closed))
                }
            }
            .connect(host: "127.0.0.1", port: server.port).get()
        try await plain.writeAndFlush(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
        await #expect(throws: ChannelError.self) { try await closed.futureResult.get() }

        // A TLS client still works.
        let clientContext = try TLSContext(configuration: certs.clientConfiguration)
        let done = server.group.next().makePromise(of: ByteBuffer.self)
        let client = try await ClientBootstrap(group: server.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOTLSHandler(context: clientContext))
                    try channel.pipeline.syncOperations.addHandler(CollectingHandler(expected: 5, done: done))
                }
            }
            .connect(host: "127.0.0.1", port: server.port).get()
        try await client.writeAndFlush(ByteBuffer(string: "still"))
        #expect(try await done.futureResult.get() == ByteBuffer(string: "still"))
        try await client.close()
        try await server.stop()
    }

    @Test("openssl s_client completes a verified TLS 1.3 handshake with ALPN junction/1",
          .enabled(if: opensslPath != nil, "openssl not found"))
    func opensslClient() async throws {
        let server = try await LoopbackEchoServer.start(configuration: certs.serverConfiguration)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opensslPath!)
        process.arguments = ["s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", certs.dev.caCertificateFile,
                             "-servername", "localhost", "-verify_hostname", "localhost", "-alpn", "junction/1",
                             "-verify_return_error"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"), "\(text)")
        #expect(text.contains("Verify return code: 0 (ok)"), "\(text)")
        #expect(text.contains("ALPN protocol: junction/1"), "\(text)")
        try await server.stop()
    }
}
