import JunctionTLS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A running Junction gateway: a TCP listener with TLS, the connection
/// handlers, and the pipeline workers behind them.
///
/// ```swift
/// let gateway = try Gateway(configuration: config, logger: logger)
/// try await gateway.start()
/// print(gateway.port)
/// ...
/// await gateway.shutdown()   // graceful: in-flight publishes are answered
/// ```
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    let core: GatewayCore
    private let group: MultiThreadedEventLoopGroup
    private let tlsContext: TLSContext?
    private let logger: Logger
    private let listener = NIOLockedValueBox<Channel?>(nil)

    public init(configuration: GatewayConfiguration, logger: Logger = Logger(label: "junction.gateway")) throws {
        self.configuration = configuration
        self.logger = logger
        self.core = try GatewayCore(configuration: configuration, logger: logger)
        self.tlsContext = try configuration.tls.map { try TLSContext(configuration: $0) }
        let threads = configuration.eventLoopThreads > 0 ? configuration.eventLoopThreads : System.coreCount
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    }

    /// Binds the listener. Throws when the address cannot be bound.
    public func start() async throws {
        let core = self.core
        let tls = self.tlsContext
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 2048, initial: 8192, maximum: 1 << 20))
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 << 10, high: 1 << 20))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tls { try sync.addHandler(NIOTLSHandler(context: tls)) }
                    try sync.addHandler(GatewayConnectionHandler(core: core, worker: core.assignWorker(), logger: logger))
                }
            }
        core.start()
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        listener.withLockedValue { $0 = channel }
        logger.info("listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
                                             "tls": "\(tls != nil)"])
    }

    /// The bound port (useful with port 0).
    public var port: Int { listener.withLockedValue { $0?.localAddress?.port ?? 0 } }

    /// Events accepted on `.warn` buses although they broke their schema.
    public var schemaWarnings: UInt64 { core.schemas.warnedEvents }

    /// Open client connections.
    public var connectionCount: Int { core.connections.count }

    /// Graceful shutdown: stops accepting, lets every connection answer the
    /// publishes it already received (acks are sent), sends Closing, closes,
    /// then stops the workers and event loops.
    public func shutdown() async {
        if let channel = listener.withLockedValue({ channel in defer { channel = nil }; return channel }) {
            try? await channel.close().get()
        }
        core.connections.closeAll(reason: "the server is shutting down")
        let deadline = ContinuousClock.now + .seconds(configuration.shutdownGraceSeconds)
        while core.connections.count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        core.stopWorkers()
        try? await group.shutdownGracefully()
        logger.info("stopped")
    }
}
