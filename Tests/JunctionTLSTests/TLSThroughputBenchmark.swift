import Foundation
import NIOCore
import NIOPosix
import Testing
import JunctionTLS

// A loopback throughput measurement through NIOTLSHandler, not a timed test: it only
// runs when JUNCTION_TLS_BENCH is set, and it prints figures instead of asserting them.
//
//   JUNCTION_TLS_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter TLSThroughputBenchmark
//
// The client writes 256-byte buffers and flushes every 64 writes (one 16 KiB record
// per flush), for 1 GiB or 10 seconds, whichever comes first.

private let benchmarkEnabled = ProcessInfo.processInfo.environment["JUNCTION_TLS_BENCH"] != nil
private let writeSize = 256
private let writesPerFlush = 64
private let byteLimit = 1 << 30
private let timeLimit = TimeAmount.seconds(10)
#if canImport(Glibc)
private let rusageSelf = RUSAGE_SELF.rawValue
#else
private let rusageSelf = RUSAGE_SELF
#endif

/// Client side: after the handshake, writes 256-byte buffers (64 per flush) while the
/// channel is writable, until the byte or time limit; counts echoed bytes if any.
private final class BenchmarkWriter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Result: Sendable {
        var bytes: Int
        var seconds: Double
    }

    private let payload = ByteBuffer(repeating: 0x5A, count: writeSize)
    private let expectEcho: Bool
    private let done: EventLoopPromise<Result>
    private var started: NIODeadline?
    private var sent = 0
    private var echoed = 0
    private var sending = false
    private var stopped = false

    init(expectEcho: Bool, done: EventLoopPromise<Result>) {
        self.expectEcho = expectEcho
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            self.started = .now()
            self.send(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.send(context: context)
    }

    private func send(context: ChannelHandlerContext) {
        guard let started = self.started, !self.stopped, !self.sending else { return }
        self.sending = true
        defer { self.sending = false }
        // At most 16 flushes per event loop turn, so reads (echo) interleave with writes.
        var flushes = 0
        while context.channel.isWritable {
            if flushes == 16 {
                context.eventLoop.assumeIsolated().execute { self.send(context: context) }
                return
            }
            flushes += 1
            if self.sent >= byteLimit || NIODeadline.now() - started >= timeLimit {
                self.stopped = true
                if !self.expectEcho {
                    // The server measures; closing (with close_notify) ends its count.
                    context.close(promise: nil)
                    self.done.succeed(Result(bytes: self.sent, seconds: Double((NIODeadline.now() - started).nanoseconds) / 1e9))
                } else if self.echoed >= self.sent {
                    self.finish(context: context)
                }
                return
            }
            for _ in 0..<writesPerFlush {
                context.write(self.wrapOutboundOut(self.payload), promise: nil)
            }
            context.flush()
            self.sent += writeSize * writesPerFlush
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.echoed += self.unwrapInboundIn(data).readableBytes
        if self.stopped, self.echoed >= self.sent { self.finish(context: context) }
    }

    private func finish(context: ChannelHandlerContext) {
        guard let started = self.started else { return }
        self.started = nil
        let seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        self.done.succeed(Result(bytes: self.echoed, seconds: seconds))
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.done.fail(error)
        context.close(promise: nil)
    }
}

/// Server side sink: counts plaintext bytes from the first to the last read.
private final class BenchmarkSink: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let done: EventLoopPromise<BenchmarkWriter.Result>
    private var first: NIODeadline?
    private var last = NIODeadline.now()
    private var bytes = 0

    init(done: EventLoopPromise<BenchmarkWriter.Result>) {
        self.done = done
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.first == nil { self.first = .now() }
        self.bytes += self.unwrapInboundIn(data).readableBytes
        self.last = .now()
    }

    func channelInactive(context: ChannelHandlerContext) {
        context.fireChannelInactive()
        let seconds = Double((self.last - (self.first ?? self.last)).nanoseconds) / 1e9
        self.done.succeed(BenchmarkWriter.Result(bytes: self.bytes, seconds: seconds))
    }
}

@Suite("TLS throughput benchmark (JUNCTION_TLS_BENCH=1, release build)", .serialized)
struct TLSThroughputBenchmark {
    let certs = TestCertificates.shared

    @Test("loopback relay and echo, 256-byte writes, flush every 64", .enabled(if: benchmarkEnabled))
    func loopbackThroughput() async throws {
        for echo in [false, true] {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
            let serverContext = try TLSContext(configuration: certs.serverConfiguration)
            let clientContext = try TLSContext(configuration: certs.clientConfiguration)
            let serverDone = group.next().makePromise(of: BenchmarkWriter.Result.self)
            let clientDone = group.next().makePromise(of: BenchmarkWriter.Result.self)
            let server = try await ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOTLSHandler(context: serverContext))
                        if echo {
                            try channel.pipeline.syncOperations.addHandler(EchoHandler())
                        } else {
                            try channel.pipeline.syncOperations.addHandler(BenchmarkSink(done: serverDone))
                        }
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let client = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOTLSHandler(context: clientContext))
                        try channel.pipeline.syncOperations.addHandler(BenchmarkWriter(expectEcho: echo, done: clientDone))
                    }
                }
                .connect(host: "127.0.0.1", port: server.localAddress!.port!).get()
            let cpuBefore = ProcessInfo.processInfo.systemUptime
            var usageBefore = rusage()
            getrusage(rusageSelf, &usageBefore)
            let result = echo ? try await clientDone.futureResult.get() : try await serverDone.futureResult.get()
            var usageAfter = rusage()
            getrusage(rusageSelf, &usageAfter)
            let wall = ProcessInfo.processInfo.systemUptime - cpuBefore
            func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
            let cpu = seconds(usageAfter.ru_utime) + seconds(usageAfter.ru_stime) - seconds(usageBefore.ru_utime) - seconds(usageBefore.ru_stime)
            let megabytes = Double(result.bytes) / 1_000_000
            let mode = echo ? "echo (client -> server -> client)" : "relay (client -> server)"
            // The machine may be shared: MB per CPU-second (client and server threads
            // together) is steadier than MB/s.
            print(String(format: "tls-bench %@: %.0f MB in %.2f s = %.0f MB/s payload, %.2f M writes/s of 256 B, process CPU %.0f%% of one core, %.0f MB per CPU-second",
                         mode, megabytes, result.seconds, megabytes / result.seconds,
                         Double(result.bytes / writeSize) / result.seconds / 1e6, 100 * cpu / wall, megabytes / cpu))
            #expect(result.bytes > 0)
            // Complete the promise this mode did not use.
            (echo ? serverDone : clientDone).succeed(BenchmarkWriter.Result(bytes: 0, seconds: 0))
            try? await client.close()
            try await server.close()
            try await group.shutdownGracefully()
        }
    }

    @Test("memory per idle TLS connection (1,000 loopback connections)", .enabled(if: benchmarkEnabled))
    func idleConnectionMemory() async throws {
        let connections = 1000
        for release in [true, false] {
            var serverConfiguration = certs.serverConfiguration
            serverConfiguration.releaseBuffersWhenIdle = release
            var clientConfiguration = certs.clientConfiguration
            clientConfiguration.releaseBuffersWhenIdle = release
            let server = try await LoopbackEchoServer.start(configuration: serverConfiguration)
            let clientContext = try TLSContext(configuration: clientConfiguration)
            // Return memory freed by earlier tests to the OS, so reuse does not hide growth.
            trimMalloc()
            let before = residentBytes()
            var clients: [Channel] = []
            for _ in 0..<connections {
                let done = server.group.next().makePromise(of: ByteBuffer.self)
                let client = try await ClientBootstrap(group: server.group)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(NIOTLSHandler(context: clientContext))
                            try channel.pipeline.syncOperations.addHandler(CollectingHandler(expected: 256, done: done))
                        }
                    }
                    .connect(host: "127.0.0.1", port: server.port).get()
                // One 256-byte message each way, so every buffer a busy connection uses exists.
                try await client.writeAndFlush(ByteBuffer.pattern(256))
                _ = try await done.futureResult.get()
                clients.append(client)
            }
            let after = residentBytes()
            let perPair = Double(after - before) / Double(connections) / 1024
            print(String(format: "tls-bench idle memory (releaseBuffersWhenIdle=%@): %.1f KiB per connection pair (client + server side, incl. sockets and NIO channels), ~%.1f KiB per side",
                         release ? "true" : "false", perPair, perPair / 2))
            #expect(after > before)
            for client in clients { try? await client.close() }
            try await server.stop()
        }
    }
}

/// Resident set size of this process, from /proc/self/statm.
private func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// glibc's `malloc_trim(0)` (declared in malloc.h, which the Glibc module does not import).
private func trimMalloc() {
    #if canImport(Glibc)
    typealias Trim = @convention(c) (Int) -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
    #endif
}
