import JunctionAdmin
import JunctionStore
import JunctionTLS

/// Everything a gateway needs to run. Defaults are the documented ones.
public struct GatewayConfiguration: Sendable {
    /// Address to listen on, for example "127.0.0.1" or "0.0.0.0".
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one (see `Gateway.port`).
    public var port: Int = 7400
    /// TLS for the listener. `nil` serves plaintext, which only tests and
    /// benchmarks that measure TLS's cost should use.
    public var tls: TLSConfiguration?
    /// Bearer tokens and the account each one authenticates as.
    public var tokens: [String: String] = [:]
    /// Client-certificate names (the common name, or a DNS, URI or e-mail
    /// subjectAltName) and the account each authenticates as, for mutual TLS:
    /// a connection whose verified certificate names one may send a Hello
    /// without a token. A token, when given, takes precedence.
    public var certificateAccounts: [String: String] = [:]
    /// Directory for the event log (`log/`) and the state database
    /// (`state.db`: subscriptions, cursors, schemas). nil keeps nothing:
    /// events are not stored, durable subscriptions and the schema registry
    /// live in memory only.
    public var dataDirectory: String?
    /// When the event log fsyncs (see `FsyncPolicy`). Default: every 200 ms.
    public var fsync: FsyncPolicy = .default
    /// How much of the event log to keep. Default: everything.
    public var retention: RetentionPolicy = .unlimited
    /// Size at which a log segment is sealed and the next one started.
    public var segmentBytes: Int = 64 << 20
    /// Accounts that may change gateway-wide settings over admin requests
    /// (schema registration and modes). Empty: every account may.
    public var adminAccounts: Set<String> = []
    /// Durable subscriptions declared by the configuration file (created or
    /// updated at start; needs `dataDirectory`).
    public var subscriptions: [DeclaredSubscription] = []
    /// Forwarding rules declared by the configuration file (created at
    /// start when missing; needs `dataDirectory`).
    public var rules: [DeclaredRule] = []
    /// Buses that exist. "default" is always added.
    public var buses: Set<String> = ["default"]
    /// Schema validation per bus (see `SchemaValidationMode`); a bus not
    /// listed is `.off`.
    public var validation: [String: SchemaValidationMode] = [:]
    /// Limits announced in Welcome and enforced.
    public var limits = Limits()
    /// Event loop threads (0: one per core).
    public var eventLoopThreads: Int = 0
    /// Pipeline worker threads. Each connection's batches go to one worker,
    /// so a connection's acks stay in order.
    public var pipelineWorkers: Int = 1
    /// Slots in each worker's ring (a power of two).
    public var ringCapacity: Int = 1024
    /// Name reported in Welcome.
    public var serverName: String = "junction/0.1"
    /// How long a graceful shutdown waits for in-flight work before closing
    /// connections anyway.
    public var shutdownGraceSeconds: Double = 10

    public init() {}

    public struct Limits: Sendable {
        /// Largest frame accepted (header excluded).
        public var maxFrameBytes: Int = 4 << 20
        /// Most events in one PublishBatch.
        public var maxBatchEvents: Int = 1_000
        /// Largest encoded event (EventBridge's 256 KiB).
        public var maxEventBytes: Int = 256 << 10
        /// Most credits outstanding on one subscription stream.
        public var maxCredits: Int = 10_000
        /// Events an ephemeral stream holds while it has no credits; beyond
        /// it the oldest are dropped and reported in Missed.
        public var subscriptionQueueLimit: Int = 10_000
        /// Publish batches of one connection in the pipeline before the
        /// gateway stops reading from it.
        public var maxInFlightBatches: Int = 64
        /// Open subscription streams per connection.
        public var maxSubscriptionsPerConnection: Int = 256
        /// Limits on envelope fields.
        public var maxIDBytes = 128
        public var maxSourceBytes = 256
        public var maxDetailTypeBytes = 256
        public var maxSubjectBytes = 1_024
        public var maxResources = 64
        public var maxResourceBytes = 1_024
        public var maxAttributes = 32
        public var maxAttributeKeyBytes = 128
        public var maxAttributeValueBytes = 1_024

        public init() {}
    }
}
