import ArgumentParser
import Foundation
import JunctionAdmin
import JunctionStore
import JunctionGateway
import JunctionJSON
import JunctionTLS
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway.",
        discussion: """
            With --dev, the gateway makes (or reuses) a development CA and server certificate and a
            development token in the data directory, and prints where they are:
              junction serve --dev
            When ready it prints one JSON line on stdout, for example
              {"event":"listening","host":"127.0.0.1","port":7400,"ca":"junction-data/ca.pem",...}
            Logs go to stderr. SIGTERM or SIGINT shut it down gracefully: in-flight publishes are
            answered before connections close.

            A configuration file (--config, JSON) may hold any of:
              {"listen": "127.0.0.1:7400", "data_dir": "junction-data",
               "tokens": {"TOKEN": "ACCOUNT"}, "cert_accounts": {"CLIENT-CN": "ACCOUNT"},
               "buses": ["default", "payments"],
               "validation": {"payments": "enforce"},
               "tls": {"cert": "server.pem", "key": "server-key.pem", "client_ca": "ca.pem",
                       "require_client_cert": false, "allow_tls12": false},
               "limits": {"max_frame_bytes": 4194304, "max_batch_events": 1000,
                          "max_event_bytes": 262144, "max_credits": 10000,
                          "subscription_queue_limit": 10000},
               "workers": 1, "event_loops": 0,
               "admin_accounts": ["platform"],
               "storage": {"fsync": "interval:200", "retention_hours": 168,
                           "retention_bytes": 10737418240, "segment_bytes": 67108864},
               "subscriptions": [{"owner": "payments", "name": "payments-orders",
                                  "pattern": "{\"source\":[\"orders\"]}", "dead_letter": "payments-dlq"}],
               "rules": [{"owner": "platform", "name": "orders-to-billing", "bus": "default",
                          "target_bus": "billing"}]}
            Events are stored in DATA/log (ack after append; --fsync), durable subscriptions,
            rules and schemas in DATA/state.db and DATA/schemas.db (docs/admin.md, docs/storage.md).
            Flags override the file.
            """
    )

    @Option(help: "Configuration file (JSON).")
    var config: String?

    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free port). Default 127.0.0.1:7400.")
    var listen: String?

    @Option(help: "Data directory (certificates, tokens, the event log, subscriptions, schemas). Default ./junction-data.")
    var dataDir: String?

    @Flag(help: "Development mode: self-signed CA and server certificate, and a development token for account \"dev\", in the data directory.")
    var dev = false

    @Option(help: "Server certificate chain (PEM).")
    var cert: String?

    @Option(help: "Server private key (PEM).")
    var key: String?

    @Option(help: "CA (PEM) whose client certificates are accepted (mutual TLS).")
    var clientCA: String?

    @Flag(help: "Refuse clients without a certificate signed by --client-ca.")
    var requireClientCert = false

    @Flag(help: "Also accept TLS 1.2 (TLS 1.3 only by default).")
    var allowTLS12 = false

    @Option(name: .customLong("token"), help: "ACCOUNT=TOKEN: a bearer token and the account it authenticates (repeatable).")
    var tokens: [String] = []

    @Option(name: .customLong("cert-account"), help: "ACCOUNT=NAME: a client-certificate name (CN or subjectAltName) and the account it authenticates, with --client-ca (repeatable).")
    var certificateAccounts: [String] = []

    @Option(name: .customLong("bus"), help: "An event bus to create besides \"default\" (repeatable).")
    var buses: [String] = []

    @Option(help: "When the event log fsyncs: always (before each publish ack, batched across publishers), interval (every 200 ms; interval:MS for another period), never. Default interval.")
    var fsync: String?

    @Flag(help: "Keep no event log: events are routed to live subscribers only, durable subscriptions are unavailable, nothing is written to disk but the certificates.")
    var noStore = false

    @Option(help: "Delete log segments older than this many hours (default: keep).")
    var retentionHours: Double?

    @Option(help: "Delete the oldest log segments while the log's records take more than this many bytes (default: keep). On disk, allow two segments more: the active one's reserved blocks and the next one's, made ahead.")
    var retentionBytes: Int64?

    @Option(name: .customLong("admin-account"), help: "An account that may register schemas and change compatibility modes (repeatable). Default: every account may.")
    var adminAccounts: [String] = []
    @Option(name: .customLong("validation"), help: "BUS=MODE: schema validation of a bus: enforce, warn or off (default off; repeatable; see docs/schemas.md).")
    var validation: [String] = []

    @Option(help: "Largest frame accepted, in bytes (default 4194304).")
    var maxFrameBytes: Int?

    @Option(help: "Pipeline worker threads (default 1).")
    var workers: Int?

    @Option(help: "Event loop threads (default: one per core).")
    var eventLoops: Int?

    @Flag(help: "Keep each connection's TLS buffers between reads (by default they are released: about 28 KiB per idle connection instead of 72 KiB, with no measurable cost in throughput).")
    var keepTLSBuffers = false

    @Flag(help: "Serve without TLS (for measuring TLS's cost only; never in production).")
    var insecurePlaintext = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "junction")
        let file = try config.map(ServeFile.load) ?? ServeFile()

        var configuration = GatewayConfiguration()
        let (host, port) = try parseHostPort(listen ?? file.listen ?? "127.0.0.1:7400", option: "--listen")
        configuration.host = host
        configuration.port = port
        let dataDir = dataDir ?? file.dataDir ?? "junction-data"
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)

        for (token, account) in file.tokens { configuration.tokens[token] = account }
        for (name, account) in file.certificateAccounts { configuration.certificateAccounts[name] = account }
        for entry in tokens {
            let (account, token) = try splitAssignment(entry, option: "--token", expected: "ACCOUNT=TOKEN")
            configuration.tokens[token] = account
        }
        for entry in certificateAccounts {
            let (account, name) = try splitAssignment(entry, option: "--cert-account", expected: "ACCOUNT=NAME")
            configuration.certificateAccounts[name] = account
        }
        configuration.buses.formUnion(file.buses)
        configuration.buses.formUnion(buses)
        configuration.validation = file.validation
        for entry in validation {
            let (bus, name) = try splitAssignment(entry, option: "--validation", expected: "BUS=MODE")
            guard let mode = SchemaValidationMode(name: name) else {
                throw ValidationError("--validation \(entry): unknown mode \"\(name)\" (use enforce, warn or off)")
            }
            configuration.validation[bus] = mode
        }
        for bus in configuration.validation.keys where !configuration.buses.contains(bus) {
            throw ValidationError("validation for bus \"\(bus)\": the bus does not exist (create it with --bus \(bus) or \"buses\")")
        }
        configuration.limits = file.limits
        if let maxFrameBytes { configuration.limits.maxFrameBytes = maxFrameBytes }
        if let w = workers ?? file.workers { configuration.pipelineWorkers = max(1, w) }
        if let e = eventLoops ?? file.eventLoops { configuration.eventLoopThreads = max(0, e) }
        configuration.adminAccounts = Set(file.adminAccounts + adminAccounts)
        if !(noStore || file.storage.disabled) {
            configuration.dataDirectory = dataDir
            if let text = fsync ?? file.storage.fsync { configuration.fsync = try parseFsync(text) }
            if let hours = retentionHours ?? file.storage.retentionHours { configuration.retention.maxAgeNanos = Int64(hours * 3_600_000_000_000) }
            if let bytes = retentionBytes ?? file.storage.retentionBytes { configuration.retention.maxBytes = bytes }
            if let bytes = file.storage.segmentBytes { configuration.segmentBytes = bytes }
            configuration.subscriptions = file.subscriptions
            configuration.rules = file.rules
        } else if !file.subscriptions.isEmpty || !file.rules.isEmpty {
            throw ValidationError("the configuration defines subscriptions or rules, which need the event log (remove --no-store or storage.disabled)")
        }

        var ready: [String: JSONValue] = [:]
        if dev {
            let certificates = try DevelopmentCertificates.generate(into: dataDir)
            let token = try DevToken.loadOrCreate(in: dataDir)
            configuration.tokens[token.value] = "dev"
            ready["ca"] = .string(certificates.caCertificateFile)
            ready["token_file"] = .string(token.path)
            ready["account"] = .string("dev")
            if !insecurePlaintext {
                configuration.tls = .server(certificateChainFile: certificates.serverCertificateFile,
                                            privateKeyFile: certificates.serverPrivateKeyFile)
            }
            logger.info("development mode", metadata: [
                "ca": "\(certificates.caCertificateFile)", "token_file": "\(token.path)", "account": "dev",
            ])
        }
        if let cert = cert ?? file.tls.cert {
            guard let key = key ?? file.tls.key else { throw ValidationError("--cert needs --key") }
            configuration.tls = .server(certificateChainFile: cert, privateKeyFile: key)
        }
        if insecurePlaintext {
            configuration.tls = nil
            logger.warning("serving WITHOUT TLS (--insecure-plaintext)")
        } else if configuration.tls == nil {
            throw ValidationError("no TLS certificate: give --cert and --key, or --dev for a development certificate")
        }
        if var tls = configuration.tls {
            if let ca = clientCA ?? file.tls.clientCA {
                tls.trustedCAFile = ca
                tls.requireClientCertificate = requireClientCert || file.tls.requireClientCert
            }
            if allowTLS12 || file.tls.allowTLS12 { tls.minimumVersion = .tls12 }
            tls.releaseBuffersWhenIdle = !keepTLSBuffers
            configuration.tls = tls
        }
        if configuration.tokens.isEmpty {
            logger.warning("no tokens configured: no client can authenticate (use --token ACCOUNT=TOKEN or --dev)")
        }

        let gateway = try Gateway(configuration: configuration, logger: logger)
        try await gateway.start()
        ready["event"] = .string("listening")
        ready["host"] = .string(host)
        ready["port"] = .number(JSONNumber(Double(gateway.port)))
        ready["tls"] = .bool(configuration.tls != nil)
        let order = ["event", "host", "port", "tls", "ca", "token_file", "account"]
        let line = JSONValue.object(JSONObject(members: order.compactMap { k in ready[k].map { .init(key: k, value: $0) } }))
        printLine(line.serialized())

        await ShutdownSignal.wait()
        logger.info("shutting down")
        await gateway.shutdown()
    }
}

/// Parses --fsync: always, never, interval or interval:MS.
private func parseFsync(_ text: String) throws -> FsyncPolicy {
    switch text {
    case "always": return .always
    case "never": return .never
    case "interval": return .default
    default:
        if text.hasPrefix("interval:"), let ms = Int(text.dropFirst("interval:".count)), ms > 0 {
            return .interval(milliseconds: ms)
        }
        throw ValidationError("--fsync \(text): expected always, interval, interval:MILLISECONDS or never")
    }
}

/// Splits "LEFT=RIGHT" (both non-empty) from a repeatable option.
private func splitAssignment(_ entry: String, option: String, expected: String) throws -> (String, String) {
    guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex, entry.index(after: eq) != entry.endIndex else {
        throw ValidationError("\(option) \(entry): expected \(expected)")
    }
    return (String(entry[..<eq]), String(entry[entry.index(after: eq)...]))
}

/// The development token: a random secret kept in DATA/dev-token (mode 0600).
struct DevToken {
    var path: String
    var value: String

    static func loadOrCreate(in directory: String) throws -> DevToken {
        let path = (directory as NSString).appendingPathComponent("dev-token")
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { return DevToken(path: path, value: value) }
        }
        var generator = SystemRandomNumberGenerator()
        let value = (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data((value + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write the development token to \(path)")
        }
        return DevToken(path: path, value: value)
    }
}

/// Waits for SIGTERM or SIGINT.
enum ShutdownSignal {
    static func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
            var sources: [DispatchSourceSignal] = []
            for sig in [SIGTERM, SIGINT] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    if once.set() { continuation.resume() }
                }
                source.resume()
                sources.append(source)
            }
            SignalSources.keep(sources)
        }
    }

    final class OnceFlag: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var done = false
        func set() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if done { return false }
            done = true
            return true
        }
    }

    /// Keeps the signal sources alive for the life of the process.
    enum SignalSources {
        nonisolated(unsafe) static var retained: [DispatchSourceSignal] = []  // written once, from the task that waits
        static func keep(_ sources: [DispatchSourceSignal]) { retained = sources }
    }
}

/// The JSON configuration file of `serve`.
struct ServeFile {
    var listen: String?
    var dataDir: String?
    var tokens: [String: String] = [:]
    var certificateAccounts: [String: String] = [:]
    var buses: [String] = []
    var validation: [String: SchemaValidationMode] = [:]
    var tls = TLS()
    var limits = GatewayConfiguration.Limits()
    var workers: Int?
    var eventLoops: Int?
    var adminAccounts: [String] = []
    var storage = Storage()
    var subscriptions: [DeclaredSubscription] = []
    var rules: [DeclaredRule] = []

    struct Storage {
        var disabled = false
        var fsync: String?
        var retentionHours: Double?
        var retentionBytes: Int64?
        var segmentBytes: Int?
    }

    struct TLS {
        var cert: String?
        var key: String?
        var clientCA: String?
        var requireClientCert = false
        var allowTLS12 = false
    }

    struct FileError: Error, CustomStringConvertible {
        var description: String
    }

    static func load(_ path: String) throws -> ServeFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError(description: "cannot read the configuration file \(path)")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(Array(data))
        } catch {
            throw FileError(description: "\(path): not valid JSON: \(error)")
        }
        guard case .object(let o) = root else { throw FileError(description: "\(path): the top level must be an object") }
        var file = ServeFile()
        func fail(_ key: String, _ expected: String) -> FileError { FileError(description: "\(path): \(key): expected \(expected)") }
        func str(_ v: JSONValue?, _ key: String) throws -> String? {
            guard let v else { return nil }
            guard case .string(let s) = v else { throw fail(key, "a string") }
            return s
        }
        func int(_ v: JSONValue?, _ key: String) throws -> Int? {
            guard let v else { return nil }
            guard case .number(let n) = v, let i = n.int64 else { throw fail(key, "an integer") }
            return Int(i)
        }
        func bool(_ v: JSONValue?, _ key: String) throws -> Bool {
            guard let v else { return false }
            guard case .bool(let b) = v else { throw fail(key, "true or false") }
            return b
        }
        let known: Set = ["listen", "data_dir", "tokens", "cert_accounts", "buses", "validation", "tls", "limits", "workers", "event_loops",
                          "admin_accounts", "storage", "subscriptions", "rules"]
        for key in o.keys where !known.contains(key) {
            throw FileError(description: "\(path): unknown key \"\(key)\" (known: \(known.sorted().joined(separator: ", ")))")
        }
        file.listen = try str(o["listen"], "listen")
        file.dataDir = try str(o["data_dir"], "data_dir")
        if case .object(let tokens)? = o["tokens"] {
            for m in tokens.members { file.tokens[m.key] = try str(m.value, "tokens.\(m.key)") }
        } else if o["tokens"] != nil { throw fail("tokens", "an object of TOKEN: ACCOUNT") }
        if case .object(let names)? = o["cert_accounts"] {
            for m in names.members { file.certificateAccounts[m.key] = try str(m.value, "cert_accounts.\(m.key)") }
        } else if o["cert_accounts"] != nil { throw fail("cert_accounts", "an object of CERTIFICATE-NAME: ACCOUNT") }
        if case .array(let buses)? = o["buses"] {
            file.buses = try buses.enumerated().map { try str($0.element, "buses[\($0.offset)]")! }
        } else if o["buses"] != nil { throw fail("buses", "an array of names") }
        if case .object(let modes)? = o["validation"] {
            for m in modes.members {
                guard let name = try str(m.value, "validation.\(m.key)"), let mode = SchemaValidationMode(name: name) else {
                    throw fail("validation.\(m.key)", "\"enforce\", \"warn\" or \"off\"")
                }
                file.validation[m.key] = mode
            }
        } else if o["validation"] != nil { throw fail("validation", "an object of BUS: \"enforce\"|\"warn\"|\"off\"") }
        if case .object(let tls)? = o["tls"] {
            file.tls.cert = try str(tls["cert"], "tls.cert")
            file.tls.key = try str(tls["key"], "tls.key")
            file.tls.clientCA = try str(tls["client_ca"], "tls.client_ca")
            file.tls.requireClientCert = try bool(tls["require_client_cert"], "tls.require_client_cert")
            file.tls.allowTLS12 = try bool(tls["allow_tls12"], "tls.allow_tls12")
        }
        if case .object(let limits)? = o["limits"] {
            if let v = try int(limits["max_frame_bytes"], "limits.max_frame_bytes") { file.limits.maxFrameBytes = v }
            if let v = try int(limits["max_batch_events"], "limits.max_batch_events") { file.limits.maxBatchEvents = v }
            if let v = try int(limits["max_event_bytes"], "limits.max_event_bytes") { file.limits.maxEventBytes = v }
            if let v = try int(limits["max_credits"], "limits.max_credits") { file.limits.maxCredits = v }
            if let v = try int(limits["subscription_queue_limit"], "limits.subscription_queue_limit") { file.limits.subscriptionQueueLimit = v }
        }
        file.workers = try int(o["workers"], "workers")
        file.eventLoops = try int(o["event_loops"], "event_loops")
        if case .array(let names)? = o["admin_accounts"] {
            file.adminAccounts = try names.enumerated().map { try str($0.element, "admin_accounts[\($0.offset)]")! }
        } else if o["admin_accounts"] != nil { throw fail("admin_accounts", "an array of account names") }
        if case .object(let storage)? = o["storage"] {
            let knownStorage: Set = ["disabled", "fsync", "retention_hours", "retention_bytes", "segment_bytes"]
            for key in storage.keys where !knownStorage.contains(key) {
                throw FileError(description: "\(path): storage: unknown key \"\(key)\" (known: \(knownStorage.sorted().joined(separator: ", ")))")
            }
            file.storage.disabled = try bool(storage["disabled"], "storage.disabled")
            file.storage.fsync = try str(storage["fsync"], "storage.fsync")
            if case .number(let n)? = storage["retention_hours"] { file.storage.retentionHours = n.double }
            else if storage["retention_hours"] != nil { throw fail("storage.retention_hours", "a number") }
            file.storage.retentionBytes = try int(storage["retention_bytes"], "storage.retention_bytes").map(Int64.init)
            file.storage.segmentBytes = try int(storage["segment_bytes"], "storage.segment_bytes")
        } else if o["storage"] != nil { throw fail("storage", "an object") }
        if case .array(let subscriptions)? = o["subscriptions"] {
            for (i, entry) in subscriptions.enumerated() {
                do {
                    file.subscriptions.append(try AdminDocument.decode(DeclaredSubscription.self, from: Array(entry.serialized().utf8)))
                } catch {
                    throw FileError(description: "\(path): subscriptions[\(i)]: \(error.message)")
                }
            }
        } else if o["subscriptions"] != nil { throw fail("subscriptions", "an array of subscription definitions") }
        if case .array(let rules)? = o["rules"] {
            for (i, entry) in rules.enumerated() {
                do {
                    file.rules.append(try AdminDocument.decode(DeclaredRule.self, from: Array(entry.serialized().utf8)))
                } catch {
                    throw FileError(description: "\(path): rules[\(i)]: \(error.message)")
                }
            }
        } else if o["rules"] != nil { throw fail("rules", "an array of rule definitions") }
        return file
    }
}
