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
        let acknowledged = AcknowledgedIDs()
        for round in 0..<3 {
            let server = try Self.serve(binary, dataDirectory: dataDirectory)
            let connection = try await Self.connect(server)
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
            await connection.close()
        }
        let expected = acknowledged.all
        #expect(expected.count > 1_000, "the producers got too few acks to test anything: \(expected.count)")

        let server = try Self.serve(binary, dataDirectory: dataDirectory)
        defer {
            server.process.terminate()
            server.process.waitUntilExit()
        }
        let connection = try await Self.connect(server)
        var spec = SubscriptionSpec(name: "audit")
        spec.start = "earliest"
        _ = try await connection.admin(AdminOperation.subscriptionCreate, spec, as: SubscriptionInfo.self)
        let subscription = try await connection.subscribe(durable: "audit", credits: 5_000)
        var missing = expected
        let deadline = ContinuousClock.now + .seconds(20)
        let reader = Task {
            var seen: [String] = []
            for try await delivery in subscription {
                seen.append(delivery.event.id)
                subscription.ack(delivery)
                if seen.count >= expected.count && ContinuousClock.now > deadline { break }
                if seen.count % 1_000 == 0 || seen.count >= expected.count {
                    if Set(seen).isSuperset(of: expected) { break }
                }
            }
            return seen
        }
        let timer = Task {
            try await Task.sleep(until: deadline)
            reader.cancel()
        }
        let seen = try await reader.value
        timer.cancel()
        missing.subtract(seen)
        #expect(missing.isEmpty, "\(missing.count) of \(expected.count) acknowledged events were not delivered after the crashes, e.g. \(missing.prefix(5))")
        await connection.close()
    }
}

struct CrashTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

final class AcknowledgedIDs: @unchecked Sendable { // `ids` under `lock`
    private let lock = NSLock()
    private var ids: Set<String> = []
    func add(_ new: [String]) { lock.withLock { ids.formUnion(new) } }
    var all: Set<String> { lock.withLock { ids } }
}
