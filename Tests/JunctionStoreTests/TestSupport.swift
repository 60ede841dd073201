import Foundation
import Testing
import JunctionTestSupport
@testable import JunctionStore

/// Deterministic pseudo-random numbers, so failures reproduce.
typealias SeededRandom = SplitMix64

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "store") {
        var template = Array("/tmp/junction-\(label)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func files(withSuffix suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// Copies every regular file into a new temporary directory (a crash image).
    func copy(_ label: String = "copy") -> TemporaryDirectory {
        let target = TemporaryDirectory(label)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            if let data = FileManager.default.contents(atPath: file(name)) {
                _ = FileManager.default.createFile(atPath: target.file(name), contents: data)
            }
        }
        return target
    }
}

/// A payload that encodes its own index so reads can be checked.
func testPayload(_ index: Int, size: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: max(size, 8))
    withUnsafeBytes(of: UInt64(index).littleEndian) { raw in
        for i in 0..<8 { bytes[i] = raw[i] }
    }
    for i in 8..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: index &* 31 &+ i) }
    return bytes
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
}

/// Whether files under /tmp can have blocks reserved (fallocate), which
/// the event log does when it can.
func fileSystemCanReserveBlocks() -> Bool {
    let dir = TemporaryDirectory("probe"); defer { dir.remove() }
    guard let fd = try? PosixFile.open(dir.file("probe"), flags: O_RDWR | O_CREAT) else { return false }
    defer { close(fd) }
    return PosixFile.reserve(fd, length: 4096) == .done
}

/// Whether truncating a file to its own size frees the blocks reserved past
/// it (ext4 and tmpfs do), as the event log's seal expects.
func fileSystemTrimsReservationsOnTruncate() -> Bool {
    let dir = TemporaryDirectory("probe"); defer { dir.remove() }
    guard let fd = try? PosixFile.open(dir.file("probe"), flags: O_RDWR | O_CREAT) else { return false }
    defer { close(fd) }
    guard PosixFile.reserve(fd, length: 65536) == .done else { return false }
    PosixFile.trimToSize(fd, path: dir.file("probe"))
    var info = stat()
    return fstat(fd, &info) == 0 && info.st_blocks == 0
}

/// A file's size and the bytes of disk allocated to it.
func fileSizes(_ path: String) throws -> (size: Int, allocated: Int) {
    var info = stat()
    try #require(stat(path, &info) == 0, "stat \(path)")
    return (Int(info.st_size), Int(info.st_blocks) * 512)
}

/// Polls `condition` every millisecond for at most 10 s; fails the test
/// (naming `what`) when it never held.
func waitUntil(_ what: String, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(10)
    while !condition() {
        try #require(Date() < deadline, "timed out waiting until \(what)")
        usleep(1000)
    }
}

/// Reads every record from `position` to the end.
func readAll(_ log: EventLog, from position: UInt64 = 1) throws -> [(LogRecord, [UInt8])] {
    var out: [(LogRecord, [UInt8])] = []
    var next = position
    while true {
        let batch = try log.read(from: next, maxRecords: 97, maxBytes: 20_000)
        guard let last = batch.last else { break }
        for record in batch { out.append((record, batch.payload(record))) }
        next = last.position + 1
    }
    return out
}

/// A clock for tests: advanced by hand.
final class ManualClock: @unchecked Sendable { // value guarded by `lock`
    private let lock = NSLock()
    private var value: Int64
    init(_ start: Int64) { value = start }
    var now: Int64 { lock.withLock { value } }
    func advance(by nanos: Int64) { lock.withLock { value += nanos } }
    func set(_ v: Int64) { lock.withLock { value = v } }
}

extension EventLogConfiguration {
    /// The same settings for another directory.
    func with(directory: String) -> EventLogConfiguration {
        var copy = self
        copy.directory = directory
        return copy
    }
}
