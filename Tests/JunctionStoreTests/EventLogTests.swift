import Foundation
import Synchronization
import Testing
@testable import JunctionStore

/// A small-segment log configuration for these tests (sparse index every 512 bytes).
private func configuration(_ dir: TemporaryDirectory, segmentBytes: Int = 4096,
                           fsync: FsyncPolicy = .never) -> EventLogConfiguration {
    var c = EventLogConfiguration(directory: dir.path)
    c.segmentBytes = segmentBytes
    c.fsync = fsync
    c.indexIntervalBytes = 512
    return c
}

/// Segments of the reservation tests: two records of 100 KB fill one.
private let reservationTestSegmentBytes = 256 << 10

/// A log of ``reservationTestSegmentBytes`` segments whose writer thread has
/// made its first spare.
private func logWithSpare(_ dir: TemporaryDirectory) throws -> EventLog {
    let log = try EventLog(configuration: configuration(dir, segmentBytes: reservationTestSegmentBytes))
    try waitUntil("the writer thread made the spare segment") { log.hasSpare }
    return log
}

/// A log whose writer thread is held in its first segment preparation (making
/// the spare) until the returned hook is released: until then rolls find no
/// spare, create their own files and queue them for reservation.
private func logHeldInItsFirstPreparation(_ dir: TemporaryDirectory) throws -> (EventLog, EventLogInlineWriteTests.HeldSyncs) {
    var c = configuration(dir, segmentBytes: reservationTestSegmentBytes)
    let preparation = EventLogInlineWriteTests.HeldSyncs(held: 1)
    c.beforeSegmentPreparation = { preparation.hook() }
    let log = try EventLog(configuration: c)
    guard preparation.entered.wait(timeout: .now() + 10) == .success else {
        preparation.releaseAll()
        log.close()
        throw StoreError(.closed, "the writer thread did not start making the spare within 10 s")
    }
    return (log, preparation)
}

@Suite struct EventLogTests {
    @Test func emptyLogPositions() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir))
        defer { log.close() }
        #expect(log.firstPosition == 1)
        #expect(log.lastPosition == 0)
        #expect(try log.read(from: 1).isEmpty)
        #expect(try log.position(atOrAfter: 0) == 1)
        #expect(log.recoveryReport.isClean)
        #expect(dir.files(withSuffix: ".log") == ["00000000000000000001.log"])
    }

    @Test func scanVisitsRecordsInOrderAndStopsWhereAsked() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir))  // 4 KiB segments: the scan crosses rolls
        defer { log.close() }
        let payloads = (0..<3000).map { testPayload($0, size: 10 + $0 % 40) }
        try log.append(payloads)
        var batch = LogReadBatch()
        var seen: [UInt64] = []
        var everything = log.scan(from: 1, batch: &batch) { record, payload in
            seen.append(record.position)
            #expect(Array(payload) == payloads[Int(record.position) - 1])
            return true
        }
        #expect(everything.lastVisited == 3000 && everything.failure == nil)
        #expect(seen == Array(1...3000))
        seen.removeAll()
        let range = log.scan(from: 1500, through: 2600, batch: &batch) { record, _ in seen.append(record.position); return true }
        #expect(range.lastVisited == 2600 && seen == Array(1500...2600))
        seen.removeAll()
        let limited = log.scan(from: 10, maxRecords: 5, batch: &batch) { record, _ in seen.append(record.position); return true }
        #expect(limited.lastVisited == 14 && seen == Array(10...14))
        seen.removeAll()
        let stopped = log.scan(from: 100, batch: &batch) { record, _ in seen.append(record.position); return record.position < 102 }
        #expect(stopped.lastVisited == 102 && seen == [100, 101, 102])
        everything = log.scan(from: 3001, batch: &batch) { _, _ in Issue.record("nothing is past the end"); return true }
        #expect(everything.lastVisited == 3000 && everything.failure == nil)
    }

    /// `close()` fsyncs what was written since the last fsync, also under
    /// `never` (which otherwise fsyncs only at seals), and only once the
    /// writes queued before it are written.
    @Test func closeMakesEverythingWrittenDurable() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir, segmentBytes: 4 << 20, fsync: .never))
        let payloads = (0..<3).map { testPayload($0, size: 100) }
        let completed = DispatchSemaphore(value: 0)
        try log.append([payloads[0], payloads[1]])
        payloads[2].withUnsafeBytes { bytes in
            _ = log.append(count: 1, parts: { _ in (bytes, EventLog.noBytes) }) { _ in completed.signal() }
        }
        #expect(log.durablePosition == 0, "nothing fsynced before close under never")
        log.close()
        #expect(completed.wait(timeout: .now()) == .success, "the queued append was written before close returned")
        #expect(log.durablePosition == 3)
    }

    @Test func appendAndReadAcrossSegmentRolls() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir))
        defer { log.close() }
        var rng = SeededRandom(seed: 42)
        var expected: [[UInt8]] = []
        var index = 0
        while index < 600 {
            let n = Int.random(in: 1...20, using: &rng)
            let batch = (0..<n).map { testPayload(index + $0, size: Int.random(in: 8...300, using: &rng)) }
            let range = try log.append(batch)
            #expect(range == UInt64(index + 1)...UInt64(index + n))
            expected += batch
            index += n
        }
        #expect(log.segmentCount > 10)
        #expect(log.lastPosition == UInt64(expected.count))
        let all = try readAll(log)
        #expect(all.count == expected.count)
        for (i, (record, payload)) in all.enumerated() {
            #expect(record.position == UInt64(i + 1))
            #expect(payload == expected[i])
        }
        // Random starting points, limits respected.
        for _ in 0..<50 {
            let from = UInt64.random(in: 1...UInt64(expected.count), using: &rng)
            let batch = try log.read(from: from, maxRecords: 7, maxBytes: 1 << 20)
            #expect(batch.first?.position == from)
            #expect(batch.count == min(7, expected.count - Int(from) + 1))
            for record in batch { #expect(batch.payload(record) == expected[Int(record.position) - 1]) }
        }
        let small = try log.read(from: 1, maxRecords: 1000, maxBytes: 1)
        #expect(small.count == 1, "at least one record even when larger than maxBytes")
        #expect(try log.read(from: UInt64(expected.count) + 1).isEmpty)
    }

    /// Segments that will be appended to have their blocks allocated up front
    /// (docs/storage.md, "Preallocated segments"), and their size still says
    /// only what was written. The next segment's file is made ahead of its
    /// roll (the spare), a sealed segment gives back what it did not use,
    /// and the spare is gone after `close()`.
    @Test(.enabled(if: fileSystemCanReserveBlocks(), "the file system of /tmp cannot reserve blocks (fallocate)"))
    func segmentsReserveTheirBlocksButKeepTheirWrittenSize() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let segmentBytes = reservationTestSegmentBytes
        let log = try EventLog(configuration: configuration(dir, segmentBytes: segmentBytes))
        let firstName = "00000000000000000001.log"
        let first = try fileSizes(dir.file(firstName))
        #expect(first.size == 0)
        #expect(first.allocated >= segmentBytes, "the first segment is reserved when the log opens")
        try waitUntil("the writer thread made the spare segment") { log.hasSpare }
        let spare = try fileSizes(dir.file(EventLog.spareFileName))
        #expect(spare.size == 0 && spare.allocated >= segmentBytes)

        // Records of 100 KB: two fit in a segment, the third rolls.
        let payloads = (0..<3).map { testPayload($0, size: 100_000) }
        try log.append([payloads[0]])
        let record = LogRecordHeader.size + 100_000
        #expect(try fileSizes(dir.file(firstName)).size == record)
        try log.append([payloads[1]])
        try log.append([payloads[2]])
        #expect(log.segmentCount == 2)
        let second = try fileSizes(dir.file(LogSegment.baseName(3) + ".log"))
        #expect(second.size == record)
        #expect(second.allocated >= segmentBytes, "the roll renamed the reserved spare")
        try log.sync()  // the first segment is sealed
        let sealed = try fileSizes(dir.file(firstName))
        #expect(sealed.size == 2 * record)
        if fileSystemTrimsReservationsOnTruncate() {
            #expect(sealed.allocated < 2 * record + 8192, "the seal gave back the unused reservation")
        }
        try waitUntil("the writer thread made the next spare") { log.hasSpare }
        log.close()
        #expect(dir.files(withSuffix: ".tmp").isEmpty, "close() removes the spare")

        // Reopened, the log reads what was written, nothing past it.
        let reopened = try EventLog(configuration: configuration(dir, segmentBytes: segmentBytes))
        defer { reopened.close() }
        #expect(reopened.recoveryReport.isClean)
        #expect(try readAll(reopened).map(\.1) == payloads)
    }

    /// One append that crosses three segment boundaries takes the spare for
    /// the first new segment and creates the others itself; the writer thread
    /// then reserves the last one's blocks outside the lock, and leaves the
    /// full one between alone (its seal gave back what it did not use).
    @Test(.enabled(if: fileSystemCanReserveBlocks(), "the file system of /tmp cannot reserve blocks (fallocate)"))
    func aSegmentCreatedWithoutASpareIsReservedAfterwards() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let segmentBytes = reservationTestSegmentBytes
        let log = try logWithSpare(dir)
        defer { log.close() }
        let payloads = (0..<8).map { testPayload($0, size: 100_000) }
        try log.append(payloads)  // segments of positions 1-2, 3-4 (the spare), 5-6 and 7-8
        #expect(log.segmentCount == 4)
        let last = dir.file(LogSegment.baseName(7) + ".log")
        try waitUntil("the writer thread reserved the segment being appended to") {
            ((try? fileSizes(last).allocated) ?? 0) >= segmentBytes
        }
        let record = LogRecordHeader.size + 100_000
        #expect(try fileSizes(last).size == 2 * record)
        try log.sync()  // the full segments are sealed
        if fileSystemTrimsReservationsOnTruncate() {
            let full = try fileSizes(dir.file(LogSegment.baseName(5) + ".log"))
            #expect(full.size == 2 * record)
            #expect(full.allocated < 2 * record + 8192, "a full segment is not reserved again after its seal")
        }
        #expect(try readAll(log).map(\.1) == payloads)
    }

    /// A roll while the writer thread is still making the spare creates its
    /// own segment; the writer then reserves that one and keeps the spare it
    /// made for the next roll (it used to drop it, leaking its descriptor and
    /// leaving the file behind at close).
    @Test(.enabled(if: fileSystemCanReserveBlocks(), "the file system of /tmp cannot reserve blocks (fallocate)"))
    func aRollDuringTheSparesPreparationKeepsBoth() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let segmentBytes = reservationTestSegmentBytes
        let (log, preparation) = try logHeldInItsFirstPreparation(dir)
        defer { log.close() }
        defer { preparation.releaseAll() }

        // Queued while the spare is being made: positions 1-2 fill the first
        // segment, 3 rolls into one the append creates itself.
        let payloads = (0..<3).map { testPayload($0, size: 100_000) }
        let completed = DispatchSemaphore(value: 0)
        let range = payloads.flatMap { $0 }.withUnsafeBytes { all in
            log.append(count: 3, parts: { i in (UnsafeRawBufferPointer(rebasing: all[i * 100_000..<(i + 1) * 100_000]), EventLog.noBytes) }) { _ in
                completed.signal()
            }
        }
        #expect(range == 1...3)
        #expect(log.segmentCount == 2)
        preparation.releaseAll()
        #expect(completed.wait(timeout: .now() + 10) == .success)

        let second = dir.file(LogSegment.baseName(3) + ".log")
        try waitUntil("the writer thread reserved the segment the roll created") {
            ((try? fileSizes(second).allocated) ?? 0) >= segmentBytes
        }
        #expect(log.hasSpare, "the spare made meanwhile is kept for the next roll")
        #expect(dir.files(withSuffix: ".tmp") == [EventLog.spareFileName])
        log.close()
        #expect(dir.files(withSuffix: ".tmp").isEmpty, "close() removes the spare")
    }

    /// When the spare cannot be made (a test hook fails that step), the next
    /// roll creates its own file and the writer reserves it; the roll asks
    /// for a spare again, and the one after that uses it.
    @Test(.enabled(if: fileSystemCanReserveBlocks(), "the file system of /tmp cannot reserve blocks (fallocate)"))
    func aSpareThatCouldNotBeMadeIsRetriedAfterTheNextRoll() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let segmentBytes = reservationTestSegmentBytes
        var c = configuration(dir, segmentBytes: segmentBytes)
        let attempts = Mutex(0)
        c.beforeSegmentPreparation = { attempts.withLock { $0 += 1; return $0 == 1 } }  // the first one fails
        let log = try EventLog(configuration: c)
        defer { log.close() }
        try waitUntil("the writer thread tried to make the spare") { attempts.withLock { $0 } >= 1 }
        #expect(!log.hasSpare)
        #expect(dir.files(withSuffix: ".tmp").isEmpty)

        let payloads = (0..<5).map { testPayload($0, size: 100_000) }
        for p in payloads[0..<3] { try log.append([p]) }  // position 3 rolls without a spare
        let second = dir.file(LogSegment.baseName(3) + ".log")
        try waitUntil("the writer thread reserved the segment the roll created") {
            ((try? fileSizes(second).allocated) ?? 0) >= segmentBytes
        }
        try waitUntil("the writer thread made a spare after that roll") { log.hasSpare }
        for p in payloads[3..<5] { try log.append([p]) }  // position 5 rolls into the spare
        #expect(log.segmentCount == 3)
        #expect(try fileSizes(dir.file(LogSegment.baseName(5) + ".log")).allocated >= segmentBytes)
        #expect(try readAll(log).map(\.1) == payloads)
    }

    /// A roll whose segment name is taken (a stray file) fails that append and
    /// nothing else: the spare is not renamed over the file (and is dropped),
    /// no record is lost, and once the name is free the next append rolls,
    /// and a new spare is made.
    @Test(.enabled(if: fileSystemCanReserveBlocks(), "the file system of /tmp cannot reserve blocks (fallocate)"))
    func aRollOntoATakenNameFailsThatAppendOnly() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try logWithSpare(dir)
        defer { log.close() }
        let payloads = (0..<3).map { testPayload($0, size: 100_000) }
        for p in payloads[0..<2] { try log.append([p]) }  // the first segment is full
        let taken = dir.file(LogSegment.baseName(3) + ".log")
        let stray = [UInt8](repeating: 7, count: 10)
        try Data(stray).write(to: URL(fileURLWithPath: taken))

        #expect(throws: StoreError.self) { try log.append([payloads[2]]) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: taken)) == Data(stray), "the stray file is left as it was")
        #expect(log.lastPosition == 2 && log.segmentCount == 1)
        #expect(!log.hasSpare && dir.files(withSuffix: ".tmp").isEmpty, "the spare was dropped")

        try FileManager.default.removeItem(atPath: taken)
        #expect(try log.append([payloads[2]]) == 3...3)
        try waitUntil("the writer thread made a new spare") { log.hasSpare }
        #expect(try readAll(log).map(\.1) == payloads)
    }

    /// An append that crosses two segment boundaries without a spare creates
    /// both files; when the second cannot be created (its name is taken), the
    /// first is deleted and taken back out of the writer's reservation queue,
    /// so no descriptor of a deleted file waits there and nothing of the
    /// append remains. Once the name is free, the same append goes through.
    @Test(.enabled(if: fileSystemCanReserveBlocks(), "the file system of /tmp cannot reserve blocks (fallocate)"))
    func aFailedRollTakesTheSegmentsItCreatedBackOutOfTheReservationQueue() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        // Rolls while the writer thread is held in its first preparation
        // create their own files and queue them, and nothing empties the
        // queue while the test looks at it.
        let (log, preparation) = try logHeldInItsFirstPreparation(dir)
        defer { log.close() }
        defer { preparation.releaseAll() }

        // Positions 1-2 fill the first segment, 3-4 a second, 5 a third,
        // whose name is taken.
        let payloads = (0..<5).map { testPayload($0, size: 100_000) }
        let taken = dir.file(LogSegment.baseName(5) + ".log")
        try Data([7]).write(to: URL(fileURLWithPath: taken))
        let bytes = payloads.flatMap { $0 }
        func appendAll() -> ClosedRange<UInt64>? {
            bytes.withUnsafeBytes { all in
                log.append(count: 5, parts: { i in
                    (UnsafeRawBufferPointer(rebasing: all[i * 100_000..<(i + 1) * 100_000]), EventLog.noBytes)
                }, completion: { _ in })
            }
        }
        #expect(appendAll() == nil, "the append fails: its third segment cannot be created")
        #expect(log.queuedReservations == 0, "the second segment was taken back out of the reservation queue")
        #expect(!FileManager.default.fileExists(atPath: dir.file(LogSegment.baseName(3) + ".log")),
                "the second segment's file was deleted")
        #expect(log.segmentCount == 1 && log.lastPosition == 0)

        try FileManager.default.removeItem(atPath: taken)
        #expect(appendAll() == 1...5)
        #expect(log.queuedReservations == 2, "both new segments wait for their reservation")
        preparation.releaseAll()
        try log.sync()
        #expect(try readAll(log).map(\.1) == payloads)
    }

    /// A spare left by a crash is deleted when the log opens: it never held a
    /// record, and its bytes never reach a segment.
    @Test func aLeftoverSpareSegmentIsDeletedOnOpen() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let config = configuration(dir, segmentBytes: 4096)
        var payloads: [[UInt8]] = (0..<5).map { testPayload($0, size: 300) }
        do {
            let log = try EventLog(configuration: config)
            try log.append(payloads)
            log.close()
        }
        // What a crash could leave: a spare with bytes in it (it never has any).
        let junk = [UInt8](repeating: 0xAB, count: 3000)
        try Data(junk).write(to: URL(fileURLWithPath: dir.file(EventLog.spareFileName)))
        do {
            let recovered = try EventLog.recover(config)
            #expect(recovered.report.isClean)
            #expect(recovered.report.lastPosition == 5)
            #expect(dir.files(withSuffix: ".tmp").isEmpty, "recovery deletes the spare")
        }

        let log = try EventLog(configuration: config)
        defer { log.close() }
        #expect(log.lastPosition == 5)
        let more = (5..<40).map { testPayload($0, size: 300) }
        for payload in more { try log.append([payload]) }
        payloads += more
        #expect(log.segmentCount > 2)
        #expect(try readAll(log).map(\.1) == payloads)
    }

    @Test func zeroCopyReadAndBufferReuse() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir))
        defer { log.close() }
        let payloads = (0..<100).map { testPayload($0, size: 100) }
        try payloads.map { $0 }.withUnsafeBufferPointer { _ in
            let raws = payloads.map { p in p.withUnsafeBytes { UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count) } }
            // Arrays keep their storage alive for the duration of the call.
            let range = try withExtendedLifetime(payloads) { try log.append(raws) }
            #expect(range == 1...100)
        }
        var batch = LogReadBatch()
        try log.read(from: 1, maxRecords: 60, maxBytes: 1 << 20, into: &batch)
        #expect(batch.count == 60)
        try log.read(from: 61, maxRecords: 60, maxBytes: 1 << 20, into: &batch)
        #expect(batch.count == 40)
        for record in batch {
            let first = batch.withPayload(record) { raw in raw.loadUnaligned(as: UInt64.self) }
            #expect(first == record.position - 1)
        }
    }

    @Test func reopenAfterCleanCloseUsesIndexFiles() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let payloads = (0..<400).map { testPayload($0, size: 100) }
        do {
            let log = try EventLog(configuration: configuration(dir))
            for chunk in stride(from: 0, to: payloads.count, by: 25) {
                try log.append(Array(payloads[chunk..<(chunk + 25)]))
            }
            log.close()
            #expect(throws: StoreError.self) { try log.append([[1]]) }
        }
        let log = try EventLog(configuration: configuration(dir))
        defer { log.close() }
        let report = log.recoveryReport
        #expect(report.isClean)
        #expect(report.segmentsScanned == 1, "only the active segment is scanned: \(report)")
        #expect(report.indexFilesLoaded == report.segmentCount - 1)
        #expect(report.lastPosition == 400)
        #expect(log.lastPosition == 400)
        let next = try log.append([testPayload(400, size: 100)])
        #expect(next == 401...401)
        let all = try readAll(log)
        #expect(all.map(\.1) == payloads + [testPayload(400, size: 100)])
        // Timestamps never decrease.
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.0.timestamp <= $1.0.timestamp })
    }

    @Test func missingOrStaleIndexFilesAreRebuilt() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        do {
            let log = try EventLog(configuration: configuration(dir))
            for i in 0..<200 { try log.append([testPayload(i, size: 120)]) }
            log.close()
        }
        let indexes = dir.files(withSuffix: ".idx")
        #expect(indexes.count >= 3)
        try FileManager.default.removeItem(atPath: dir.file(indexes[0]))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir.file(indexes[1])))
        let log = try EventLog(configuration: configuration(dir))
        defer { log.close() }
        #expect(log.recoveryReport.isClean)
        #expect(log.recoveryReport.segmentsScanned == 3)
        #expect(try readAll(log).map(\.1) == (0..<200).map { testPayload($0, size: 120) })
        #expect(dir.files(withSuffix: ".idx").count == indexes.count, "rebuilt index files are persisted")
    }

    @Test func rejectsBadAppends() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var c = configuration(dir)
        c.maxRecordBytes = 1000
        let log = try EventLog(configuration: c)
        defer { log.close() }
        #expect { try log.append([[UInt8]]()) } throws: { ($0 as? StoreError)?.code == .invalidArgument }
        #expect { try log.append([[1], [UInt8](repeating: 0, count: 1001)]) } throws: { error in
            let e = error as? StoreError
            return e?.code == .recordTooLarge && e?.message.contains("payload 1") == true
        }
        #expect(log.lastPosition == 0, "a rejected batch appends nothing")
        let oversize = EventLogConfiguration(directory: dir.path)
        var bad = oversize
        bad.segmentBytes = 10
        #expect { try EventLog(configuration: bad) } throws: { ($0 as? StoreError)?.code == .invalidArgument }
    }

    @Test func largeRecordGetsItsOwnSegment() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir))
        defer { log.close() }
        let big = testPayload(1, size: 10_000)
        try log.append([testPayload(0, size: 10), big, testPayload(2, size: 10)])
        #expect(log.segmentCount == 3)
        #expect(try readAll(log).map(\.1) == [testPayload(0, size: 10), big, testPayload(2, size: 10)])
    }

    @Test func completionAPIReportsPositionsInOrder() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir, fsync: .always))
        defer { log.close() }
        let results = Mutex<[ClosedRange<UInt64>]>([])
        let done = DispatchSemaphore(value: 0)
        for i in 0..<50 {
            log.append([testPayload(i * 2, size: 50), testPayload(i * 2 + 1, size: 50)]) { result in
                if case .success(let range) = result { results.withLock { $0.append(range) } }
                done.signal()
            }
        }
        for _ in 0..<50 { done.wait() }
        let ranges = results.withLock { $0 }
        let expectedRanges: [ClosedRange<UInt64>] = (0..<50).map { (i: Int) -> ClosedRange<UInt64> in
            UInt64(i * 2 + 1)...UInt64(i * 2 + 2)
        }
        #expect(ranges == expectedRanges)
        #expect(log.durablePosition == 100)
        // A rejected batch completes immediately with the error.
        let rejected = Mutex<StoreError?>(nil as StoreError?)
        log.append([[UInt8]]()) { result in
            if case .failure(let e) = result { rejected.withLock { $0 = e } }
        }
        #expect(rejected.withLock { $0 }?.code == .invalidArgument)
    }

    @Test func blockingCallsFromACompletionFailInsteadOfDeadlocking() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir, fsync: .always))
        defer { log.close() }
        let seen = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        log.append([[1]]) { _ in
            do throws(StoreError) { try log.append([[2]]) } catch { seen.withLock { $0.append("append: \(error.code)") } }
            do throws(StoreError) { try log.sync() } catch { seen.withLock { $0.append("sync: \(error.code)") } }
            // The completion API works from a completion.
            log.append([[3]]) { result in
                if case .success(let range) = result { seen.withLock { $0.append("nested: \(range)") } }
                done.signal()
            }
        }
        done.wait()
        #expect(seen.withLock { $0 } == ["append: invalidArgument", "sync: invalidArgument", "nested: 2...2"])
        #expect(try readAll(log).map(\.1) == [[1], [3]])
    }

    @Test func closeFromACompletionFinishesTheLog() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir))
        let done = DispatchSemaphore(value: 0)
        log.append([[1]]) { _ in
            log.close()
            done.signal()
        }
        done.wait()
        #expect { try log.append([[2]]) } throws: { ($0 as? StoreError)?.code == .closed }
        let reopened = try EventLog(configuration: configuration(dir))
        defer { reopened.close() }
        #expect(reopened.lastPosition == 1)
    }

    @Test func groupCommitBatchesConcurrentAppenders() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir, segmentBytes: 64 << 10, fsync: .always))
        defer { log.close() }
        let threads = 8, perThread = 150
        let assigned = Mutex<[UInt64: [UInt8]]>([:])
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                let payload = testPayload(t * 10_000 + i, size: 64)
                let range = try! log.append([payload])
                assigned.withLock { $0[range.lowerBound] = payload }
            }
        }
        let map = assigned.withLock { $0 }
        #expect(map.count == threads * perThread)
        #expect(Set(map.keys) == Set(1...UInt64(threads * perThread)))
        for (record, payload) in try readAll(log) { #expect(map[record.position] == payload) }
        let stats = log.statistics
        #expect(stats.records == UInt64(threads * perThread))
        #expect(stats.syncs <= stats.groupCommits)
        #expect(stats.groupCommits <= stats.appendCalls)
        #expect(log.durablePosition == log.lastPosition)
    }

    @Test func syncAndIntervalPolicyMakeDataDurable() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir, fsync: .interval(milliseconds: 5)))
        defer { log.close() }
        try log.append([[1, 2, 3]])
        let deadline = Date().addingTimeInterval(5)
        while log.durablePosition < 1 && Date() < deadline { usleep(1000) }
        #expect(log.durablePosition == 1)

        let never = TemporaryDirectory(); defer { never.remove() }
        let lazy = try EventLog(configuration: configuration(never, fsync: .never))
        defer { lazy.close() }
        try lazy.append([[1], [2]])
        #expect(lazy.lastPosition == 2)
        try lazy.sync()
        #expect(lazy.durablePosition == 2)
    }

    @Test func timeIndexFindsFirstRecordAtOrAfter() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let clock = ManualClock(1_000_000)
        var c = configuration(dir)
        c.clock = { clock.now }
        var log = try EventLog(configuration: c)
        var times: [Int64] = []
        var rng = SeededRandom(seed: 9)
        for i in 0..<300 {
            clock.advance(by: Int64.random(in: 0...3, using: &rng) * 1000)
            if i == 150 { clock.advance(by: -50_000) } // clock stepping back is clamped
            try log.append([testPayload(i, size: 90)])
            times.append(max(clock.now, times.last ?? 0))
        }
        func check() throws {
            #expect(try readAll(log).map(\.0.timestamp) == times)
            for probe in stride(from: Int64(999_000), through: times.last! + 2000, by: 700) {
                let expected = times.firstIndex(where: { $0 >= probe }).map { UInt64($0 + 1) } ?? 301
                #expect(try log.position(atOrAfter: probe) == expected, "time \(probe)")
            }
        }
        try check()
        log.close()
        log = try EventLog(configuration: c)
        defer { log.close() }
        #expect(log.recoveryReport.indexFilesLoaded > 0)
        try check()
    }

    @Test func timeLookupWithAnEmptyActiveSegment() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let clock = ManualClock(1000)
        var c = configuration(dir)
        c.clock = { clock.now }
        do {
            let log = try EventLog(configuration: c)
            for i in 0..<100 {
                clock.advance(by: 10)
                try log.append([testPayload(i, size: 200)])
            }
            log.close()
        }
        // Cut the active segment to nothing: the log now ends with an empty segment.
        let last = dir.files(withSuffix: ".log").last!
        let firstOfLast = UInt64(last.dropLast(4))!
        truncate(dir.file(last), 0)
        let log = try EventLog(configuration: c)
        defer { log.close() }
        #expect(log.lastPosition == firstOfLast - 1)
        #expect(try log.position(atOrAfter: 1015) == 2)
        #expect(try log.position(atOrAfter: 0) == 1)
        #expect(try log.position(atOrAfter: 1_000_000) == firstOfLast)
    }

    @Test func retentionBySizeDeletesOldestSealedSegments() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var c = configuration(dir)
        c.retention = RetentionPolicy(maxBytes: 10_000)
        let log = try EventLog(configuration: c)
        defer { log.close() }
        for i in 0..<300 { try log.append([testPayload(i, size: 200)]) }
        try log.sync()
        let report = try log.enforceRetention()
        #expect(log.totalBytes <= 10_000 + 4096)
        #expect(log.firstPosition > 1)
        #expect(report.firstPosition == log.firstPosition)
        #expect(dir.files(withSuffix: ".log").count == log.segmentCount)
        let all = try readAll(log)
        #expect(all.first?.0.position == log.firstPosition)
        #expect(all.last?.0.position == 300)
        // Reading a deleted position starts at the first retained one.
        #expect(try log.read(from: 1, maxRecords: 1).first?.position == log.firstPosition)
    }

    @Test func retentionByAgeUsesNewestRecordOfSegment() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let clock = ManualClock(1_000_000_000)
        var c = configuration(dir)
        c.clock = { clock.now }
        c.retention = RetentionPolicy(maxAgeNanos: 1_000_000)
        let log = try EventLog(configuration: c)
        defer { log.close() }
        for i in 0..<100 { try log.append([testPayload(i, size: 200)]) }
        clock.advance(by: 10_000_000)
        for i in 100..<140 { try log.append([testPayload(i, size: 200)]) }
        try log.sync()
        // The writer thread applies retention after sealing a segment; this call finishes the job.
        let report = try log.enforceRetention()
        #expect(report.firstPosition == log.firstPosition)
        let first = log.firstPosition
        #expect(first > 1 && first <= 101, "old segments go, the ones with new records stay")
        #expect(try log.read(from: first, maxRecords: 1).first?.position == first)
        clock.advance(by: 10_000_000)
        try log.enforceRetention()
        #expect(log.segmentCount == 1, "everything but the active segment is deleted")
        #expect(dir.files(withSuffix: ".log").count == 1)
        #expect(dir.files(withSuffix: ".idx").isEmpty)
    }
}

/// Small appends to an idle log written by their caller (`inlineWriteLimit`).
@Suite struct EventLogInlineWriteTests {
    /// Appends `payload` with an inline limit; returns the range and whether
    /// the append was written inline (its completion ran on this thread).
    func append(_ log: EventLog, _ payload: [UInt8], limit: Int,
                onComplete: @escaping @Sendable (ClosedRange<UInt64>) -> Void = { _ in }) -> (ClosedRange<UInt64>, Bool) {
        // Inline means the appending thread wrote and ran the completion
        // itself: judged by the thread, not by timing (the writer thread may
        // finish before `append` returns).
        let caller = pthread_self()
        let onCaller = Mutex(false)
        let range = payload.withUnsafeBytes { bytes in
            log.append(count: 1, inlineWriteLimit: limit, parts: { _ in (bytes, EventLog.noBytes) }) { result in
                if case .success(let range) = result { onComplete(range) }
                if pthread_equal(pthread_self(), caller) != 0 { onCaller.withLock { $0 = true } }
            }
        }
        return (range!, onCaller.withLock { $0 })
    }

    /// Installed as `beforeSync` or `beforeSeal`: holds the first `held`
    /// fsyncs (or seals) of a log until released one by one; `fail` makes the
    /// held ones fail.
    final class HeldSyncs: Sendable {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let held: Int
        let fail: Bool
        let count = Mutex(0)
        init(held: Int, fail: Bool = false) { self.held = held; self.fail = fail }
        func hook() -> Bool {
            let n = count.withLock { $0 += 1; return $0 }
            guard n <= held else { return false }
            entered.signal()
            // Bounded: a regression that blocks the test thread behind a held
            // fsync then fails the test instead of hanging the suite.
            _ = release.wait(timeout: .now() + 30)
            return fail
        }
        /// Lets every held fsync go (for the test's exit paths).
        func releaseAll() { for _ in 0..<held { release.signal() } }
    }

    /// The interval fsync does not hold up appends: while it runs, an append
    /// larger than the inline limit is written and completed by its caller;
    /// the fsync covers what was written when it started, the next one the rest.
    @Test func appendsCompleteWhileTheIntervalFsyncRuns() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var c = configuration(dir, segmentBytes: 4 << 20, fsync: .interval(milliseconds: 1))
        let syncs = HeldSyncs(held: 2)
        c.beforeSync = { syncs.hook() }
        let log = try EventLog(configuration: c)
        defer { log.close() }
        defer { syncs.releaseAll() }
        try testPayload(0, size: 100).withUnsafeBytes { _ = try log.append([$0]) }
        #expect(syncs.entered.wait(timeout: .now() + 10) == .success, "the interval fsync of record 1 starts")
        #expect(log.durablePosition == 0)

        // Above the inline limit: before, this waited for the writer thread,
        // which held the writing role through the whole fsync.
        let big = testPayload(1, size: 256 << 10)
        let completed = DispatchSemaphore(value: 0)
        let (range, wasInline) = append(log, big, limit: 4096) { _ in completed.signal() }
        #expect(range == 2...2)
        #expect(wasInline, "written by the appender while the writer thread is in fsync")
        #expect(completed.wait(timeout: .now() + 10) == .success)
        #expect(log.completedPosition == 2)
        // An appender that never writes itself waits for the writer thread.
        let handedOff = DispatchSemaphore(value: 0)
        let (third, thirdInline) = append(log, testPayload(2, size: 100), limit: 0) { _ in handedOff.signal() }
        #expect(third == 3...3 && !thirdInline)
        #expect(log.completedPosition == 2)

        syncs.release.signal()
        #expect(syncs.entered.wait(timeout: .now() + 10) == .success, "the next fsync starts")
        #expect(log.durablePosition == 1, "the first fsync covered what was written when it started, no more")
        #expect(handedOff.wait(timeout: .now() + 10) == .success, "written by the writer thread after its fsync")
        syncs.release.signal()
        let deadline = Date().addingTimeInterval(10)
        while log.durablePosition < 3 && Date() < deadline { usleep(1000) }
        #expect(log.durablePosition == 3)
        var batch = LogReadBatch()
        var payloads: [[UInt8]] = []
        _ = log.scan(from: 1, batch: &batch) { _, payload in payloads.append(Array(payload)); return true }
        #expect(payloads == [testPayload(0, size: 100), big, testPayload(2, size: 100)])
    }

    /// An append queued while the writer thread is busy (here: its completion
    /// runs another append, queued behind the role) is written before the
    /// interval fsync that is due next, not after it: its producer may have
    /// nothing else in flight, so no appender would write it inline during
    /// the fsync, and its ack would wait for the disk. The fsync then covers it.
    @Test func anAppendQueuedWhenTheIntervalFsyncIsDueIsWrittenBeforeIt() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (log, syncs) = try logWithDueHeldIntervalFsync(dir, segmentBytes: 4 << 20)
        defer { log.close() }
        defer { syncs.releaseAll() }

        let second = Mutex<ClosedRange<UInt64>?>(nil)
        let secondDone = DispatchSemaphore(value: 0)
        let queuedBehind = testPayload(1, size: 100)
        _ = append(log, testPayload(0, size: 100), limit: 0) { _ in
            // On the writer thread, which holds the role: this one is queued.
            let (range, inline) = self.append(log, queuedBehind, limit: 0) { _ in secondDone.signal() }
            #expect(!inline)
            second.withLock { $0 = range }
        }
        #expect(syncs.entered.wait(timeout: .now() + 10) == .success, "the interval fsync starts")
        #expect(secondDone.wait(timeout: .now() + 2) == .success,
                "the queued append completed while the fsync is held (it was written before it)")
        #expect(second.withLock { $0 } == 2...2)
        syncs.release.signal()
        try waitUntil("the fsync covered both records") { log.durablePosition == 2 }
    }

    /// Not when the queued append starts a new segment: writing it would
    /// queue that segment's seal ahead of the due fsync, and under sustained
    /// load that could repeat and postpone the fsync (and the spare) for
    /// good. It waits for the fsync, as before.
    @Test func aQueuedAppendThatStartsANewSegmentIsNotWrittenAheadOfTheFsync() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (log, syncs) = try logWithDueHeldIntervalFsync(dir, segmentBytes: 256 << 10)
        defer { log.close() }
        defer { syncs.releaseAll() }

        let secondDone = DispatchSemaphore(value: 0)
        let crossing = testPayload(1, size: 100_000)  // 200 KB + 100 KB do not fit in 256 KiB
        _ = append(log, testPayload(0, size: 200_000), limit: 0) { _ in
            _ = self.append(log, crossing, limit: 0) { _ in secondDone.signal() }
        }
        #expect(syncs.entered.wait(timeout: .now() + 10) == .success, "the interval fsync starts")
        #expect(secondDone.wait(timeout: .now() + 0.3) == .timedOut, "the append that rolls waits for the fsync")
        syncs.release.signal()
        #expect(secondDone.wait(timeout: .now() + 10) == .success)
        #expect(log.segmentCount == 2)
    }

    /// A log under a 1 ms interval fsync whose first fsync is held until
    /// released, returned once its writer thread finished its first step
    /// (making the spare segment, where the file system can reserve blocks)
    /// and the interval has passed: the next write makes the fsync due, and
    /// it is the next step the writer thread takes.
    private func logWithDueHeldIntervalFsync(_ dir: TemporaryDirectory, segmentBytes: Int) throws -> (EventLog, HeldSyncs) {
        var c = configuration(dir, segmentBytes: segmentBytes, fsync: .interval(milliseconds: 1))
        let syncs = HeldSyncs(held: 1)
        c.beforeSync = { syncs.hook() }
        let log = try EventLog(configuration: c)
        do {
            if fileSystemCanReserveBlocks() { try waitUntil("the writer thread made the spare") { log.hasSpare } }
        } catch {
            log.close()
            throw error
        }
        usleep(5000)
        return (log, syncs)
    }

    /// A periodic fsync that fails while an appender holds the writing role
    /// (running its completions) fails the log, and the appends queued
    /// meanwhile complete with the failure instead of never.
    @Test func aFailedIntervalFsyncFailsTheAppendsQueuedBehindAnInlineWriter() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var c = configuration(dir, segmentBytes: 4 << 20, fsync: .interval(milliseconds: 1))
        let syncs = HeldSyncs(held: 1, fail: true)
        c.beforeSync = { syncs.hook() }
        let log = try EventLog(configuration: c)
        defer { log.close() }
        defer { syncs.releaseAll() }
        try testPayload(0, size: 100).withUnsafeBytes { _ = try log.append([$0]) }
        #expect(syncs.entered.wait(timeout: .now() + 10) == .success)

        // Appender A writes inline and stays in its completion (holding the role).
        let inCompletion = DispatchSemaphore(value: 0)
        let unblockA = DispatchSemaphore(value: 0)
        let aResult = Mutex<Result<ClosedRange<UInt64>, StoreError>?>(nil)
        let aDone = DispatchSemaphore(value: 0)
        let payloadA = testPayload(1, size: 100)
        Thread {
            payloadA.withUnsafeBytes { bytes in
                _ = log.append(count: 1, inlineWriteLimit: 4096, parts: { _ in (bytes, EventLog.noBytes) }) { result in
                    aResult.withLock { $0 = result }
                    inCompletion.signal()
                    unblockA.wait()
                }
            }
            aDone.signal()
        }.start()
        #expect(inCompletion.wait(timeout: .now() + 10) == .success)
        #expect(aResult.withLock { $0.map { (try? $0.get()) == 2...2 } } == true)

        // B queues behind A; then the fsync fails; then A finishes.
        let bResult = Mutex<Result<ClosedRange<UInt64>, StoreError>?>(nil)
        let bDone = DispatchSemaphore(value: 0)
        let payloadB = testPayload(2, size: 100)
        payloadB.withUnsafeBytes { bytes in
            _ = log.append(count: 1, inlineWriteLimit: 4096, parts: { _ in (bytes, EventLog.noBytes) }) { result in
                bResult.withLock { $0 = result }
                bDone.signal()
            }
        }
        syncs.release.signal()
        // Returns once the held fsync has failed (and failed the log).
        #expect(throws: StoreError.self) { try log.sync() }
        unblockA.signal()
        #expect(aDone.wait(timeout: .now() + 10) == .success)
        #expect(bDone.wait(timeout: .now() + 10) == .success, "the queued append completes (with the failure)")
        if case .success = bResult.withLock({ $0 }) { Issue.record("an append queued behind a failed fsync reported success") }
        #expect(log.completedPosition == 2, "nothing after A's record became readable")
        #expect(throws: StoreError.self) { try testPayload(3, size: 10).withUnsafeBytes { _ = try log.append([$0]) } }
    }

    @Test func aLoneAppenderWritesItselfAndTheIntervalFsyncStillRuns() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        // One segment: a roll hands the append to the writer thread (it seals the previous one).
        let log = try EventLog(configuration: configuration(dir, segmentBytes: 64 << 10, fsync: .interval(milliseconds: 5)))
        defer { log.close() }
        var inline = 0
        for i in 0..<200 {
            let (range, wasInline) = append(log, testPayload(i, size: 40 + i % 50), limit: 4096)
            #expect(range == UInt64(i + 1)...UInt64(i + 1))
            if wasInline {
                inline += 1
                #expect(log.completedPosition >= range.upperBound)
            }
        }
        // The writer thread takes the role for its fsyncs (and briefly when
        // woken), so some appends meet it busy: how many depends on
        // scheduling, and only "some are written inline" is asserted.
        #expect(inline > 0)
        let deadline = Date().addingTimeInterval(5)
        while log.durablePosition < 200 && Date() < deadline { usleep(1000) }
        #expect(log.durablePosition == 200)
        #expect(try readAll(log).map(\.1) == (0..<200).map { testPayload($0, size: 40 + $0 % 50) })
    }

    @Test func noInlineWritesUnderAlwaysOrWithoutALimit() throws {
        for (fsync, limit) in [(FsyncPolicy.always, 4096), (.never, 0)] {
            let dir = TemporaryDirectory(); defer { dir.remove() }
            let log = try EventLog(configuration: configuration(dir, fsync: fsync))
            defer { log.close() }
            let done = DispatchSemaphore(value: 0)
            for i in 0..<20 {
                let (_, wasInline) = append(log, testPayload(i, size: 30), limit: limit) { _ in done.signal() }
                #expect(!wasInline)
            }
            for _ in 0..<20 { done.wait() }
            #expect(log.lastPosition == 20)
        }
    }

    @Test func concurrentAppendersMixingInlineAndWriterThreadWritesCompleteInOrder() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir, fsync: .interval(milliseconds: 2)))
        defer { log.close() }
        let threads = 4, perThread = 300
        let completions = Mutex<[UInt64]>([])
        let assigned = Mutex<[UInt64: [UInt8]]>([:])
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                // Some payloads are over the limit, some appends large enough to roll a segment.
                let payload = testPayload(t * 10_000 + i, size: i % 37 == 0 ? 2500 : 20 + i % 200)
                let (range, _) = append(log, payload, limit: 1024) { range in
                    completions.withLock { $0.append(range.lowerBound) }
                }
                assigned.withLock { $0[range.lowerBound] = payload }
            }
        }
        let total = UInt64(threads * perThread)
        let deadline = Date().addingTimeInterval(5)
        while completions.withLock({ $0.count }) < Int(total) && Date() < deadline { usleep(1000) }
        // Completions run in position order, whoever wrote.
        #expect(completions.withLock { $0 } == Array(1...total))
        let map = assigned.withLock { $0 }
        for (record, payload) in try readAll(log) { #expect(map[record.position] == payload) }
        #expect(try readAll(log).count == Int(total))
        #expect(log.segmentCount > 1)
        while log.durablePosition < total && Date() < deadline { usleep(1000) }
        #expect(log.durablePosition == total)
    }

    @Test func closeFromAnInlineCompletionFinishesTheLog() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try EventLog(configuration: configuration(dir, fsync: .never))
        let closedInline = Mutex(false)
        var attempts = 0
        // An append may meet the writer thread busy; retry until one is written inline.
        while !closedInline.withLock({ $0 }) && attempts < 100 {
            attempts += 1
            let caller = pthread_self()
            let payload: [UInt8] = [UInt8(attempts)]
            payload.withUnsafeBytes { bytes in
                _ = log.append(count: 1, inlineWriteLimit: 4096, parts: { _ in (bytes, EventLog.noBytes) }) { _ in
                    // On the appending thread: it holds the writing role while completions run.
                    if pthread_equal(pthread_self(), caller) != 0 {
                        log.close()
                        closedInline.withLock { $0 = true }
                    }
                }
            }
        }
        #expect(closedInline.withLock { $0 })
        #expect { try log.append([[2]]) } throws: { ($0 as? StoreError)?.code == .closed }
        let reopened = try EventLog(configuration: configuration(dir, fsync: .never))
        defer { reopened.close() }
        #expect(reopened.lastPosition == UInt64(attempts))
    }

    /// A log of 4 KiB segments whose first seal is held (and fails with
    /// `fail`), filled until that seal started.
    func logInsideItsFirstSeal(_ dir: TemporaryDirectory, fail: Bool = false) throws -> (EventLog, HeldSyncs) {
        var c = configuration(dir, segmentBytes: 4096, fsync: .interval(milliseconds: 60_000))
        let seals = HeldSyncs(held: 1, fail: fail)
        c.beforeSeal = { seals.hook() }
        let log = try EventLog(configuration: c)
        do {
            try fillFirstSegment(log)
        } catch {
            seals.releaseAll()
            log.close()
            throw error
        }
        #expect(seals.entered.wait(timeout: .now() + 10) == .success, "the seal of segment 1 starts")
        return (log, seals)
    }

    /// Fills the first 4 KiB segment and rolls to the next one: three records
    /// of 1,000 bytes (and 32-byte headers) fit, the fourth starts segment 2.
    func fillFirstSegment(_ log: EventLog) throws {
        for i in 0..<4 { try testPayload(i, size: 1000).withUnsafeBytes { _ = try log.append([$0]) } }
        #expect(log.segmentCount == 2)
    }

    /// A full segment is sealed (fsynced, index written) outside the writing
    /// role: while its fsync runs, appends to the next segment are written
    /// and completed by their callers; records become durable up to the
    /// sealed segment's end, and no further until the next fsync.
    @Test func appendsCompleteWhileASegmentIsSealed() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (log, seals) = try logInsideItsFirstSeal(dir)
        defer { log.close() }
        defer { seals.releaseAll() }
        #expect(log.completedPosition == 4, "the write to segment 2 completed before the seal")
        #expect(log.durablePosition == 0)

        let completed = DispatchSemaphore(value: 0)
        let (range, wasInline) = append(log, testPayload(4, size: 1000), limit: 4096) { _ in completed.signal() }
        #expect(range == 5...5)
        #expect(wasInline, "written by the appender while the writer thread seals")
        #expect(completed.wait(timeout: .now() + 10) == .success)
        let handedOff = DispatchSemaphore(value: 0)
        let (sixth, sixthInline) = append(log, testPayload(5, size: 100), limit: 0) { _ in handedOff.signal() }
        #expect(sixth == 6...6 && !sixthInline)
        #expect(log.completedPosition == 5)

        seals.release.signal()
        #expect(handedOff.wait(timeout: .now() + 10) == .success, "written by the writer thread after the seal")
        let deadline = Date().addingTimeInterval(10)
        while log.durablePosition < 3 && Date() < deadline { usleep(1000) }
        #expect(log.durablePosition == 3, "durable up to the sealed segment's end, not into the next one")
        #expect(dir.files(withSuffix: ".idx").count == 1, "the sealed segment's index was written")
        try log.sync()
        #expect(log.durablePosition == 6)
        var batch = LogReadBatch()
        var payloads: [[UInt8]] = []
        _ = log.scan(from: 1, batch: &batch) { _, payload in payloads.append(Array(payload)); return true }
        #expect(payloads == (0..<5).map { testPayload($0, size: 1000) } + [testPayload(5, size: 100)])
    }

    /// A requested fsync waits for a seal in progress: it never reports
    /// records durable while an earlier segment is not.
    @Test func syncWaitsForASealInProgress() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (log, seals) = try logInsideItsFirstSeal(dir)
        defer { log.close() }
        defer { seals.releaseAll() }
        let synced = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? log.sync()
            synced.signal()
        }
        #expect(synced.wait(timeout: .now() + 0.2) == .timedOut, "sync() waits while segment 1 is not sealed")
        #expect(log.durablePosition == 0)
        seals.release.signal()
        #expect(synced.wait(timeout: .now() + 10) == .success)
        #expect(log.durablePosition == 4)
    }

    /// `close()` during a seal waits for it: the writer thread does not exit
    /// with a full segment unsealed, and the log reopens clean.
    @Test func closeWaitsForASealInProgress() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (log, seals) = try logInsideItsFirstSeal(dir)
        defer { seals.releaseAll() }
        let closed = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            log.close()
            closed.signal()
        }
        #expect(closed.wait(timeout: .now() + 0.2) == .timedOut, "close() waits while segment 1 is being sealed")
        seals.release.signal()
        #expect(closed.wait(timeout: .now() + 10) == .success)
        #expect(dir.files(withSuffix: ".idx").count == 1, "segment 1 was sealed before the writer thread exited")
        let again = try EventLog(configuration: configuration(dir, segmentBytes: 4096))
        defer { again.close() }
        #expect(again.recoveryReport.isClean, "\(again.recoveryReport)")
        #expect(again.lastPosition == 4)
    }

    /// A seal that fails fails the log like a failed fsync: later appends
    /// are refused with the reason, and the appends queued during the seal
    /// complete with it.
    @Test func aFailedSealFailsTheLog() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (log, seals) = try logInsideItsFirstSeal(dir, fail: true)
        defer { log.close() }
        defer { seals.releaseAll() }
        let queued = Mutex<Result<ClosedRange<UInt64>, StoreError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        testPayload(4, size: 100).withUnsafeBytes { bytes in
            _ = log.append(count: 1, inlineWriteLimit: 0, parts: { _ in (bytes, EventLog.noBytes) }) { result in
                queued.withLock { $0 = result }
                done.signal()
            }
        }
        seals.release.signal()
        #expect(done.wait(timeout: .now() + 10) == .success)
        let result = queued.withLock { $0 }
        guard case .failure(let error)? = result else {
            Issue.record("the append queued during the failed seal should fail, got \(String(describing: result))")
            return
        }
        #expect(error.message.contains("sealing a segment"), "\(error.message)")
        #expect(throws: StoreError.self) { try testPayload(5, size: 100).withUnsafeBytes { _ = try log.append([$0]) } }
        #expect(log.durablePosition == 0)
    }

    /// Under `always` the seal stays in the write (every completion waits
    /// for its fsync anyway): the seal hook is never called.
    @Test func underAlwaysTheSealStaysInTheWrite() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var c = configuration(dir, segmentBytes: 4096, fsync: .always)
        let called = Mutex(0)
        c.beforeSeal = { called.withLock { $0 += 1 }; return false }
        let log = try EventLog(configuration: c)
        defer { log.close() }
        try fillFirstSegment(log)
        #expect(log.durablePosition == 4)
        #expect(called.withLock { $0 } == 0)
        #expect(dir.files(withSuffix: ".idx").count == 1)
    }
}
