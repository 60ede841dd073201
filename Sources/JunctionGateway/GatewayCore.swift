import JunctionRing
import JunctionTLS
import NIOConcurrencyHelpers
import NIOCore

/// State shared by every connection of a gateway: configuration, accounts,
/// routing, the pipeline workers and the set of open connections.
final class GatewayCore: Sendable {
    let configuration: GatewayConfiguration
    let router: Router
    let workers: [PipelineWorker<PublishJob>]
    let connections = ConnectionRegistry()
    let admin: AdminService
    let schemas: SchemaRegistryService
    private let accounts: [String: Account]
    private let nextWorker = NIOLockedValueBox(0)

    init(configuration: GatewayConfiguration) throws {
        self.configuration = configuration
        let router = Router(buses: configuration.buses)
        self.router = router
        var accounts: [String: Account] = [:]
        for (token, name) in configuration.tokens { accounts[token] = Account(name) }
        self.accounts = accounts
        self.certificateAccounts = configuration.certificateAccounts.mapValues { Account($0) }
        let schemas = try SchemaRegistryService(dataDirectory: configuration.dataDirectory)
        self.schemas = schemas
        var handlers: [String: AdminService.Handler] = [:]
        // Each area adds its operations here (see AdminService).
        SchemaAdmin.install(into: &handlers, service: schemas)
        self.admin = AdminService(handlers: handlers, administrators: configuration.adminAccounts)
        let sequencer = PositionSequencer()
        self.workers = (0..<max(1, configuration.pipelineWorkers)).map { i in
            let processor = PublishProcessor(router: router, limits: configuration.limits, sequencer: sequencer,
                                            schemas: EventValidator(service: schemas, modes: configuration.validation))
            return PipelineWorker<PublishJob>(name: "junction-pipe-\(i)", capacity: configuration.ringCapacity, batchSize: 64) { jobs in
                processor.process(jobs)
            }
        }
    }

    private let certificateAccounts: [String: Account]

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
