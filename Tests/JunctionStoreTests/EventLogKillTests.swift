import Foundation
import Testing
@testable import JunctionStore

/// Kills a child process with SIGKILL while it appends with `fsync always`, and
/// checks that every append the child saw complete is in the log afterwards.
///
/// The child is this test binary, re-run with a filter that selects
/// `childAppender` and the environment variable that enables it.
@Suite struct EventLogKillTests {
    static let directoryVariable = "JUNCTION_KILL_CHILD_DIR"
    static let roundVariable = "JUNCTION_KILL_CHILD_ROUND"

    static func configuration(_ directory: String) -> EventLogConfiguration {
        var c = EventLogConfiguration(directory: directory)
        c.fsync = .always
        c.segmentBytes = 128 << 10
        return c
    }

    /// Payload for a unique id: the id, then filler; the size varies with the id.
    static func payload(_ id: UInt64) -> [UInt8] {
        testPayload(Int(truncatingIfNeeded: id), size: 40 + Int(id % 300))
    }

    /// Child side: appends until killed, printing "ACK <first> <last> <first id>" per completion.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[directoryVariable] != nil))
    func childAppender() throws {
        let environment = ProcessInfo.processInfo.environment
        let directory = environment[Self.directoryVariable]!
        let round = UInt64(environment[Self.roundVariable] ?? "0") ?? 0
        let log = try EventLog(configuration: Self.configuration(directory))
        let deadline = Date().addingTimeInterval(20)
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            let window = DispatchSemaphore(value: 16)
            var next: UInt64 = (round << 48) | (UInt64(thread) << 40)
            while Date() < deadline {
                window.wait()
                let first = next
                let batch = (0..<8).map { Self.payload(first + UInt64($0)) }
                next += 8
                log.append(batch) { result in
                    if case .success(let range) = result {
                        let line = Array("ACK \(range.lowerBound) \(range.upperBound) \(first)\n".utf8)
                        _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
                    }
                    window.signal()
                }
            }
            for _ in 0..<16 { window.wait() }
            for _ in 0..<16 { window.signal() }
        }
        log.close()
    }

    /// Runs the child until it reported `minimumAcks` completions, SIGKILLs it, and returns the acks.
    func runChildAndKill(directory: String, round: Int, minimumAcks: Int) throws -> [(UInt64, UInt64, UInt64)] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["--testing-library", "swift-testing", "--filter", "childAppender"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.directoryVariable] = directory
        environment[Self.roundVariable] = String(round)
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var output = Data()
        let reader = pipe.fileHandleForReading
        let giveUp = Date().addingTimeInterval(60)
        func ackCount() -> Int { output.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
        while ackCount() < minimumAcks && Date() < giveUp {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            output.append(chunk)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        output.append(reader.readDataToEndOfFile())
        #expect(process.terminationReason == .uncaughtSignal, "the child was killed, it did not finish")
        var acks: [(UInt64, UInt64, UInt64)] = []
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") where line.hasPrefix("ACK ") {
            let fields = line.split(separator: " ")
            guard fields.count == 4, let a = UInt64(fields[1]), let b = UInt64(fields[2]), let id = UInt64(fields[3]) else {
                continue   // a line cut by the kill
            }
            acks.append((a, b, id))
        }
        return acks
    }

    @Test func sigkillDuringAlwaysAppendsLosesNoAcknowledgedRecord() throws {
        if ProcessInfo.processInfo.environment[Self.directoryVariable] != nil { return }   // we are the child
        let dir = TemporaryDirectory("kill"); defer { dir.remove() }
        var allAcks: [(UInt64, UInt64, UInt64)] = []
        for round in 1...3 {
            let acks = try runChildAndKill(directory: dir.path, round: round, minimumAcks: 200)
            #expect(acks.count >= 200, "round \(round): the child acknowledged \(acks.count) batches")
            allAcks += acks
            let log = try EventLog(configuration: Self.configuration(dir.path))
            defer { log.close() }
            let report = log.recoveryReport
            for (first, last, id) in allAcks {
                #expect(last <= log.lastPosition, "acked \(first)...\(last) beyond the recovered end: \(report)")
                let batch = try log.read(from: first, maxRecords: Int(last - first + 1), maxBytes: 1 << 20)
                #expect(batch.count == Int(last - first + 1))
                for (i, record) in batch.enumerated() {
                    #expect(record.position == first + UInt64(i))
                    #expect(batch.payload(record) == Self.payload(id + UInt64(i)), "position \(record.position)")
                }
            }
            // Every record, acknowledged or not, is intact.
            #expect(try readAll(log).count == Int(log.lastPosition))
        }
    }
}
