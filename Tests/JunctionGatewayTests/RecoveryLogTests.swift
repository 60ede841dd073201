import Foundation
import JunctionGateway
import JunctionStore
import Logging
import Synchronization
import Testing

/// The gateway says what the event log's recovery found: an info line when
/// the log was clean, a warning naming what was cut when it was not.
@Suite struct RecoveryLogTests {
    /// Collects log lines (level, message, metadata rendered as text).
    final class Captured: Sendable {
        let lines = Mutex<[(Logger.Level, String)]>([])
    }

    struct CapturingHandler: LogHandler {
        let captured: Captured
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?,
                 source: String, file: String, function: String, line: UInt) {
            let details = (metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            captured.lines.withLock { $0.append((level, "\(message) \(details)")) }
        }
    }

    func openGateway(_ directory: String, captured: Captured) async throws {
        var configuration = GatewayConfiguration()
        configuration.port = 0
        configuration.eventLoopThreads = 1
        configuration.dataDirectory = directory
        let logger = Logger(label: "junction.test") { _ in CapturingHandler(captured: captured) }
        let gateway = try Gateway(configuration: configuration, logger: logger)
        await gateway.shutdown()
    }

    @Test func aTornLogTailIsReportedAsAWarning() async throws {
        let directory = NSTemporaryDirectory() + "junction-recovery-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        let clean = Captured()
        try await openGateway(directory, captured: clean)
        #expect(clean.lines.withLock { lines in lines.contains { $0.0 == .info && $0.1.contains("event log opened") } })

        // Half a record at the end of the segment, as a crash mid-write leaves it.
        let segment = directory + "/log/" + (try FileManager.default.contentsOfDirectory(atPath: directory + "/log")
            .first { $0.hasSuffix(".log") }!)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0x4A, count: 20))
        try handle.close()

        let torn = Captured()
        try await openGateway(directory, captured: torn)
        let warning = torn.lines.withLock { lines in lines.first { $0.0 == .warning && $0.1.contains("recovered after an unclean stop") } }
        #expect(warning != nil, "\(torn.lines.withLock { $0 })")
        #expect(warning?.1.contains("truncated") == true)
    }
}
