import Foundation
import Synchronization
import Testing
@testable import JunctionStore

@Suite struct EventLogRecoveryTests {
    func configuration(_ path: String) -> EventLogConfiguration {
        var c = EventLogConfiguration(directory: path)
        c.segmentBytes = 8192
        c.fsync = .never
        c.indexIntervalBytes = 1024
        return c
    }

    /// Writes a log with varied record sizes; returns the payloads and, per
    /// segment file, the (position, start offset, end offset) of each record.
    func makeLog(_ dir: TemporaryDirectory, seed: UInt64) throws -> ([[UInt8]], [String: [(UInt64, Int, Int)]]) {
        var rng = SeededRandom(seed: seed)
        let log = try EventLog(configuration: configuration(dir.path))
        var payloads: [[UInt8]] = []
        while payloads.count < 250 {
            let n = Int.random(in: 1...5, using: &rng)
            let batch = (0..<n).map { testPayload(payloads.count + $0, size: Int.random(in: 8...400, using: &rng)) }
            try log.append(batch)
            payloads += batch
        }
        log.close()
        var layout: [String: [(UInt64, Int, Int)]] = [:]
        let segmentFirsts = dir.files(withSuffix: ".log").map { UInt64($0.dropLast(4))! }
        for (i, first) in segmentFirsts.enumerated() {
            let end = i + 1 < segmentFirsts.count ? segmentFirsts[i + 1] : UInt64(payloads.count + 1)
            var offset = 0
            var records: [(UInt64, Int, Int)] = []
            for p in first..<end {
                let size = 32 + payloads[Int(p) - 1].count
                records.append((p, offset, offset + size))
                offset += size
            }
            layout[LogSegment.baseName(first) + ".log"] = records
        }
        return (payloads, layout)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func tornAndCorruptTailsAreTruncated(seed: UInt64) throws {
        let original = TemporaryDirectory("orig"); defer { original.remove() }
        let (payloads, layout) = try makeLog(original, seed: seed)
        let segments = original.files(withSuffix: ".log")
        #expect(segments.count >= 8)
        var rng = SeededRandom(seed: seed &* 1000)
        for iteration in 0..<12 {
            let image = original.copy("img"); defer { image.remove() }
            // Damage the last segment most of the time, sometimes an earlier one.
            let victimIndex = iteration % 4 == 3 ? Int.random(in: 0..<segments.count, using: &rng) : segments.count - 1
            let victim = segments[victimIndex]
            let records = layout[victim]!
            let size = records.last!.2
            let mode = iteration % 3
            var expectedCount: Int
            let handle = FileHandle(forUpdatingAtPath: image.file(victim))!
            switch mode {
            case 0: // cut at a random offset
                let cut = Int.random(in: 0..<size, using: &rng)
                try handle.truncate(atOffset: UInt64(cut))
                let kept = records.filter { $0.2 <= cut }
                expectedCount = Int(records[0].0) - 1 + kept.count
            case 1: // flip one byte near the end
                let at = Int.random(in: max(0, size - 2000)..<size, using: &rng)
                try handle.seek(toOffset: UInt64(at))
                let old = handle.readData(ofLength: 1)[0]
                try handle.seek(toOffset: UInt64(at))
                handle.write(Data([old ^ UInt8(1 << Int.random(in: 0..<8, using: &rng))]))
                let hit = records.firstIndex { $0.1 <= at && at < $0.2 }!
                expectedCount = Int(records[0].0) - 1 + hit
            default: // zero-filled garbage after the last record (preallocation after a crash)
                try handle.seekToEnd()
                handle.write(Data(count: Int.random(in: 1...600, using: &rng)))
                expectedCount = Int(records.last!.0)
            }
            try handle.close()
            if victimIndex < segments.count - 1 {
                // A sealed segment with an intact index is trusted up to a check of its last record
                // (see corruptionInsideAnIndexedSegmentIsReportedOnRead); without its index it is scanned.
                try? FileManager.default.removeItem(atPath: image.file(String(victim.dropLast(4)) + ".idx"))
            }
            if victimIndex < segments.count - 1 && mode == 2 {
                // Extra bytes on a sealed segment: its index no longer matches, so it is scanned.
                expectedCount = Int(records.last!.0)
            }

            let log = try EventLog(configuration: configuration(image.path))
            let report = log.recoveryReport
            #expect(log.lastPosition == UInt64(expectedCount), "seed \(seed) iteration \(iteration) mode \(mode) \(victim): \(report)")
            let cleanCut = mode == 0 && records.contains { Int($0.0) == expectedCount && $0.2 == fileSize(image.file(victim)) }
            if mode == 2 || !cleanCut {
                #expect(report.truncations.count == 1, "\(report)")
                #expect(report.truncations.first?.path == image.file(victim))
            }
            if victimIndex < segments.count - 1 && !report.truncations.isEmpty {
                #expect(report.deletedSegments.count == segments.count - 1 - victimIndex)
            }
            let all = try readAll(log)
            #expect(all.count == expectedCount)
            #expect(all.map(\.1) == Array(payloads[0..<expectedCount]))
            // The log keeps working after repair and a second open is clean.
            let next = try log.append([testPayload(expectedCount, size: 77)])
            #expect(next.lowerBound == UInt64(expectedCount + 1))
            log.close()
            let again = try EventLog(configuration: configuration(image.path))
            #expect(again.recoveryReport.isClean, "\(again.recoveryReport)")
            #expect(again.lastPosition == UInt64(expectedCount + 1))
            again.close()
        }
    }

    @Test func crashImagesTakenDuringAppendsHoldEveryCompletedRecord() throws {
        let dir = TemporaryDirectory("live"); defer { dir.remove() }
        var live = configuration(dir.path)
        live.segmentBytes = 64 << 10
        let log = try EventLog(configuration: live)
        let stop = Atomic<Bool>(false)
        let writer = Thread {
            var i = 0
            while !stop.load(ordering: .relaxed) {
                let batch = (0..<3).map { testPayload(i + $0, size: 50 + (i + $0) % 200) }
                _ = try? log.append(batch)
                i += 3
                usleep(100)   // bound the volume so that copying images stays fast
            }
        }
        writer.start()
        defer { stop.store(true, ordering: .relaxed) }
        var images = 0
        while images < 6 {
            usleep(20_000)
            let completedBefore = log.completedPosition
            // Copy newest segment first: older segments are complete before newer ones get data,
            // so the image is what a crash at some instant could have left.
            let image = TemporaryDirectory("crash"); defer { image.remove() }
            let names = dir.files(withSuffix: ".log").reversed()
            for name in names {
                if let data = FileManager.default.contents(atPath: dir.file(name)) {
                    _ = FileManager.default.createFile(atPath: image.file(name), contents: data)
                }
            }
            let recovered = try EventLog(configuration: live.with(directory: image.path))
            #expect(recovered.lastPosition >= completedBefore, "\(recovered.recoveryReport)")
            for (record, payload) in try readAll(recovered, from: recovered.firstPosition) {
                #expect(payload == testPayload(Int(record.position) - 1, size: 50 + (Int(record.position) - 1) % 200))
            }
            recovered.close()
            images += 1
        }
        stop.store(true, ordering: .relaxed)
        while !writer.isFinished { usleep(1000) }
        log.close()
    }

    @Test func corruptionInsideAnIndexedSegmentIsReportedOnRead() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (_, layout) = try makeLog(dir, seed: 5)
        let first = dir.files(withSuffix: ".log")[0]
        let record = layout[first]![2]
        let handle = FileHandle(forUpdatingAtPath: dir.file(first))!
        try handle.seek(toOffset: UInt64(record.1 + 40))
        handle.write(Data([0xEE, 0xEE]))
        try handle.close()
        let log = try EventLog(configuration: configuration(dir.path))
        defer { log.close() }
        #expect(log.recoveryReport.isClean, "an intact index of a sealed segment is trusted")
        #expect { try log.read(from: record.0, maxRecords: 1) } throws: { error in
            let e = error as? StoreError
            return e?.code == .corruption && e?.path == dir.file(first) && e?.message.contains("CRC32C") == true
        }
    }

    @Test func aMissingMiddleSegmentIsRefused() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        _ = try makeLog(dir, seed: 6)
        let names = dir.files(withSuffix: ".log")
        try FileManager.default.removeItem(atPath: dir.file(names[2]))
        #expect { try EventLog(configuration: configuration(dir.path)) } throws: { error in
            let e = error as? StoreError
            return e?.code == .corruption && e?.message.contains("gap") == true
        }
    }

    /// An OS crash while a full segment was being sealed (under `interval`
    /// and `never` the writer seals it after writing into the next one) can
    /// leave that segment without its last records, cleanly, while later
    /// segments hold records. Those were never durable: recovery ends the log
    /// at the short segment and deletes the later ones, instead of refusing
    /// a gap. With the short segment's index file present (it was sealed,
    /// so it lost records after its fsync: damage, not a crash), the gap is
    /// still refused.
    @Test func aShortUnsealedSegmentEndsTheLogAndLaterSegmentsGo() throws {
        for sealed in [false, true] {
            let dir = TemporaryDirectory(); defer { dir.remove() }
            let (payloads, layout) = try makeLog(dir, seed: 11)
            let names = dir.files(withSuffix: ".log")
            #expect(names.count >= 4)
            // The second segment loses its last two records, at a record boundary.
            let short = names[1]
            let records = layout[short]!
            let keep = records[records.count - 3]
            let handle = try #require(FileHandle(forWritingAtPath: dir.file(short)))
            try handle.truncate(atOffset: UInt64(keep.2))
            try handle.close()
            let index = dir.file(String(short.dropLast(4)) + ".idx")
            if sealed {
                #expect(FileManager.default.fileExists(atPath: index))
                #expect { try EventLog(configuration: configuration(dir.path)) } throws: { error in
                    (error as? StoreError)?.code == .corruption && (error as? StoreError)?.message.contains("gap") == true
                }
                continue
            }
            try FileManager.default.removeItem(atPath: index)
            let log = try EventLog(configuration: configuration(dir.path))
            defer { log.close() }
            #expect(log.lastPosition == keep.0)
            #expect(log.recoveryReport.deletedSegments == names[2...].map { dir.file($0) })
            #expect(log.recoveryReport.truncations.first?.reason.contains("lost before it was sealed") == true, "\(log.recoveryReport)")
            var batch = LogReadBatch()
            var read: [[UInt8]] = []
            _ = log.scan(from: 1, batch: &batch) { _, payload in read.append(Array(payload)); return true }
            #expect(read == Array(payloads.prefix(Int(keep.0))))
            #expect(try log.append([testPayload(999, size: 10)]).lowerBound == keep.0 + 1)
        }
    }

    /// Segment files are created when appends reserve positions, ahead of the
    /// writer; a kill before the earlier records are written leaves empty files
    /// past the real end. Recovery drops them instead of refusing a "gap".
    @Test func emptySegmentsPastAnUnwrittenTailAreDropped() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (payloads, _) = try makeLog(dir, seed: 8)
        let last = UInt64(payloads.count)
        let ahead = [last + 40, last + 90].map { dir.file(LogSegment.baseName($0) + ".log") }
        for path in ahead { #expect(FileManager.default.createFile(atPath: path, contents: Data())) }
        let log = try EventLog(configuration: configuration(dir.path))
        #expect(log.lastPosition == last)
        #expect(log.recoveryReport.deletedSegments == ahead)
        #expect(ahead.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
        #expect(try log.append([testPayload(payloads.count, size: 50)]).lowerBound == last + 1)
        log.close()
        let again = try EventLog(configuration: configuration(dir.path))
        #expect(again.recoveryReport.isClean, "\(again.recoveryReport)")
        #expect(again.lastPosition == last + 1)
        again.close()
    }

    @Test func unreadableDirectoryIsReported() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.file("plain"), contents: Data([1]))
        #expect { try EventLog(configuration: configuration(dir.file("plain"))) } throws: { error in
            let e = error as? StoreError
            return e?.code == .io && e?.message.contains(dir.file("plain")) == true
        }
    }
}
