import Foundation
import JunctionStore

/// What a gateway keeps in its data directory: the event log (`log/`) and
/// the state database (`state.db`: durable subscriptions, their cursors and
/// in-flight deliveries).
final class GatewayStorage: Sendable {
    let log: EventLog
    let state: StateStore

    init(directory: String, configuration: GatewayConfiguration) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var logConfiguration = EventLogConfiguration(directory: directory + "/log")
        logConfiguration.fsync = configuration.fsync
        logConfiguration.retention = configuration.retention
        logConfiguration.segmentBytes = configuration.segmentBytes
        // A record is one event: the largest event plus the stamped fields.
        logConfiguration.maxRecordBytes = configuration.limits.maxEventBytes + 4096
        self.log = try EventLog(configuration: logConfiguration)
        do {
            self.state = try StateStore(path: directory + "/state.db")
        } catch {
            log.close()
            throw error
        }
    }

    /// Flushes and closes both (idempotent).
    func close() {
        log.close()
        state.close()
    }
}
