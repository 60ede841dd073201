import JunctionRing
import JunctionTLS
import NIOConcurrencyHelpers
import NIOCore
import Logging

/// State shared by every connection of a gateway: configuration, accounts,
/// routing, the pipeline workers and the set of open connections.
final class GatewayCore: Sendable {
    let configuration: GatewayConfiguration
    let router: Router
    let workers: [PipelineWorker<PublishJob>]
    let connections = ConnectionRegistry()
    let admin: AdminService
    /// The event log and state database; nil without a data directory.
    let storage: GatewayStorage?
    /// Durable subscriptions; nil without a data directory.
    let durable: DurableDeliveryService?
    let schemas: SchemaRegistryService
    private let accounts: [String: Account]
    private let nextWorker = NIOLockedValueBox(0)

    init(configuration: GatewayConfiguration, logger: Logger) throws {
        self.configuration = configuration
        let router = Router(buses: configuration.buses)
        self.router = router
        var accounts: [String: Account] = [:]
        for (token, name) in configuration.tokens { accounts[token] = Account(name) }
        self.accounts = accounts
        self.certificateAccounts = configuration.certificateAccounts.mapValues { Account($0) }
        var handlers: [String: AdminService.Handler] = [:]
        let storage = try configuration.dataDirectory.map { directory in try GatewayStorage(directory: directory, configuration: configuration) }
        self.storage = storage
        if let report = storage?.log.recoveryReport {
            // What recovery repaired is worth an operator's attention: cut or
            // deleted records are gone, and their positions will be reused.
            if report.isClean {
                logger.info("event log opened", metadata: ["recovery": "\(report)"])
            } else {
                logger.warning("event log recovered after an unclean stop; records past the cut are gone and their positions will be reused",
                               metadata: ["recovery": "\(report)"])
            }
        }
        let schemas = try SchemaRegistryService(dataDirectory: configuration.dataDirectory)
        self.schemas = schemas
        SchemaAdmin.install(into: &handlers, service: schemas)
        let durable = try storage.map { storage in try DurableDeliveryService(log: storage.log, state: storage.state, schemas: schemas, router: router, logger: logger) }
        self.durable = durable
        if let storage { DurableAdmin.registerLogStatistics(into: &handlers, log: storage.log) }
        if let durable {
            let buses = Set(configuration.buses).union(["default"])
            DurableAdmin.register(into: &handlers, service: durable, buses: buses)
            try DurableAdmin.declare(configuration.subscriptions, service: durable, buses: buses)
            try DurableAdmin.declare(configuration.rules, service: durable, buses: buses)
        }
        let sequencer = PositionSequencer()
        var appended: (@Sendable (UInt64) -> Void)?
        if let durable { appended = { durable.logAdvanced(to: $0) } }
        let log = storage?.log
        self.workers = (0..<max(1, configuration.pipelineWorkers)).map { i in
            let processor = PublishProcessor(router: router, limits: configuration.limits, log: log, sequencer: sequencer,
                                             schemas: EventValidator(service: schemas, modes: configuration.validation),
                                             logger: logger, appended: appended)
            return PipelineWorker<PublishJob>(name: "junction-pipe-\(i)", capacity: configuration.ringCapacity, batchSize: 64) { jobs in
                processor.process(jobs)
            }
        }
        self.admin = AdminService(handlers: handlers, administrators: configuration.adminAccounts)
    }

    private let certificateAccounts: [String: Account]

    /// Starts the threads that are not started by `init` (durable delivery).
    func start() {
        durable?.start()
    }

    func account(forToken token: String) -> Account? {
        token.isEmpty ? nil : accounts[token]
    }

    /// The account a verified client certificate maps to: its common name
    /// first, then its subjectAltNames (DNS, URI, e-mail).
    func account(forCertificate identity: TLSPeerIdentity) -> Account? {
        guard identity.isVerified else { return nil }
        for name in [identity.commonName].compactMap({ $0 }) + identity.dnsNames + identity.uris + identity.emailAddresses {
            if let account = certificateAccounts[name] { return account }
        }
        return nil
    }

    /// The worker for a new connection (round robin). A connection keeps its
    /// worker, so its batches are processed, and acked, in order.
    func assignWorker() -> PipelineWorker<PublishJob> {
        let i = nextWorker.withLockedValue { value in
            defer { value = (value + 1) % workers.count }
            return value
        }
        return workers[i]
    }

    func stopWorkers() {
        for worker in workers { worker.stop() }
        admin.shutdown()
        durable?.stop()
        storage?.close()
    }
}

/// The open connections, so that shutdown can close each one gracefully.
final class ConnectionRegistry: Sendable {
    private let entries = NIOLockedValueBox([ObjectIdentifier: NIOLoopBound<GatewayConnectionHandler>]())

    func add(_ handler: GatewayConnectionHandler, loop: EventLoop) {
        entries.withLockedValue { $0[ObjectIdentifier(handler)] = NIOLoopBound(handler, eventLoop: loop) }
    }

    func remove(_ handler: GatewayConnectionHandler) {
        _ = entries.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(handler)) }
    }

    var count: Int { entries.withLockedValue { $0.count } }

    /// Asks every connection to finish its in-flight work and close.
    func closeAll(reason: String) {
        for handler in entries.withLockedValue({ Array($0.values) }) {
            handler.eventLoop.execute { handler.value.beginClose(reason: reason) }
        }
    }
}
