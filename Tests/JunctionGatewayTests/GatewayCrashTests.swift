import Foundation
import JunctionAdmin
import JunctionClient
import JunctionTLS
import JunctionWire
import Testing

/// SIGKILLs a real `junction serve --fsync always` several times while a
/// producer publishes, then checks, by event id, that every event the gateway
/// acknowledged is delivered by a durable subscription reading the whole log.
///
/// Uses the `junction` binary built next to this test bundle (`swift build
/// --build-tests` builds both); skipped when it is not there.
@Suite struct GatewayCrashTests {
    static var binary: String? {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [bundle.appendingPathComponent("junction").path,
                          bundle.deletingLastPathComponent().appendingPathComponent("junction").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Server {
        let process: Process
        let port: Int
        let ca: String
        let token: String
    }

    /// Starts `junction serve --dev` on a free port and waits for its ready line.
    static func serve(_ binary: String, dataDirectory: String) throws -> Server {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--dev", "--data-dir", dataDirectory, "--listen", "127.0.0.1:0", "--fsync", "always",
                             "--log-level", "error"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is the JSON ready line; read it byte by byte (bounded).
        var line: [UInt8] = []
        let handle = output.fileHandleForReading
        while line.count < 4096 {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte[byte.startIndex] == UInt8(ascii: "\n") { break }
            line.append(byte[byte.startIndex])
        }
        guard let ready = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              let port = ready["port"] as? Int, let ca = ready["ca"] as? String, let tokenFile = ready["token_file"] as? String else {
            process.terminate()
            throw CrashTestError("the gateway did not print its ready line: \(String(decoding: line, as: UTF8.self))")
        }
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return Server(process: process, port: port, ca: ca, token: token)
    }

    static func connect(_ server: Server) async throws -> JunctionConnection {
        try await JunctionConnection.connect(host: "127.0.0.1", port: server.port,
                                             tls: .client(serverName: "127.0.0.1", trustedCAFile: server.ca),
                                             token: server.token, timeout: .seconds(5))
    }

    @Test(.enabled(if: binary != nil, "the junction binary is not built next to the tests"))
    func everyAcknowledgedEventSurvivesSIGKILL() async throws {
        let binary = try #require(Self.binary)
        let dataDirectory = NSTemporaryDirectory() + "junction-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let acknowledged = IDSet()
        let delivered = IDSet()
        for round in 0..<3 {
            let server = try Self.serve(binary, dataDirectory: dataDirectory)
            let connection = try await Self.connect(server)
            if round == 0 {
                var spec = SubscriptionSpec(name: "audit")
                spec.start = "earliest"
                spec.ackTimeoutMs = 2_000
                _ = try await connection.admin(AdminOperation.subscriptionCreate, spec, as: SubscriptionInfo.self)
            }
            // A consumer acks what it gets while the gateway is killed under it:
            // its cursor and in-flight deliveries are recovered too.
            let consumer = try await Self.connect(server)
            let subscription = try await consumer.subscribe(durable: "audit", credits: 2_000)
            let reader = Task {
                for try await delivery in subscription {
                    delivered.add([delivery.event.id])
                    subscription.ack(delivery)
                }
            }
            // Four pipelined publishers until the kill (bounded by count too).
            let publishers = (0..<4).map { lane in
                Task {
                    for batch in 0..<2_000 {
                        let ids = (0..<32).map { "r\(round)-l\(lane)-b\(batch)-\($0)" }
                        let events = ids.map { OutgoingEvent(id: $0, source: "crash.test", detailType: "Tick", detail: Array(#"{"x":1}"#.utf8)) }
                        guard let results = try? await connection.publish(events) else { return }
                        acknowledged.add(results.filter(\.accepted).map(\.id))
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(400 + 150 * round))
            kill(server.process.processIdentifier, SIGKILL)
            server.process.waitUntilExit()
            for task in publishers { _ = await task.value }
            _ = await reader.result
            await connection.close()
            await consumer.close()
        }
        let expected = acknowledged.all
        #expect(expected.count > 1_000, "the producers got too few acks to test anything: \(expected.count)")

        let server = try Self.serve(binary, dataDirectory: dataDirectory)
        defer {
            server.process.terminate()
            server.process.waitUntilExit()
        }
        let connection = try await Self.connect(server)
        let subscription = try await connection.subscribe(durable: "audit", credits: 5_000)
        let reader = Task {
            for try await delivery in subscription {
                delivered.add([delivery.event.id])
                subscription.ack(delivery)
            }
        }
        // Poll (bounded: 20 s) until every acknowledged id has come.
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, !delivered.all.isSuperset(of: expected) {
            try await Task.sleep(for: .milliseconds(100))
        }
        reader.cancel()
        let missing = expected.subtracting(delivered.all)
        #expect(missing.isEmpty, "\(missing.count) of \(expected.count) acknowledged events were never delivered, e.g. \(missing.prefix(5))")
        await connection.close()
    }
}

struct CrashTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

final class IDSet: @unchecked Sendable { // `ids` under `lock`
    private let lock = NSLock()
    private var ids: Set<String> = []
    func add(_ new: [String]) { lock.withLock { ids.formUnion(new) } }
    var all: Set<String> { lock.withLock { ids } }
    var count: Int { lock.withLock { ids.count } }
}
