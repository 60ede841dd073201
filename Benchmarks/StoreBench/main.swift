// StoreBench: throughput and recovery figures for JunctionStore's EventLog.
//
//   swift run -c release StoreBench [--dir /tmp/junction-storebench] [--seconds 2] [--recovery-gb 1] [--skip-recovery]
//
// Every case writes into a fresh directory under --dir, which is removed afterwards.
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import JunctionStore

struct Options {
    var directory = "/tmp/junction-storebench"
    var seconds = 2.0
    var recoveryGigabytes = 1.0
    var skipRecovery = false
    var recordBytes = 256

    init(_ arguments: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < arguments.count else { fatalError("missing value for \(arguments[i - 1])") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--dir": directory = value()
            case "--seconds": seconds = Double(value()) ?? seconds
            case "--recovery-gb": recoveryGigabytes = Double(value()) ?? recoveryGigabytes
            case "--record-bytes": recordBytes = Int(value()) ?? recordBytes
            case "--skip-recovery": skipRecovery = true
            default: fatalError("unknown argument \(arguments[i])")
            }
            i += 1
        }
    }
}

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func removeTree(_ path: String) {
    guard let dir = opendir(path) else { return }
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { unlink(path + "/" + name) }
    }
    closedir(dir)
    rmdir(path)
}

func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int(Double(sorted.count - 1) * p))
    return Double(sorted[index]) / 1000
}

func format(_ v: Double) -> String {
    if v >= 100 { return String(Int(v.rounded())) }
    let scaled = (v * 10).rounded() / 10
    return String(scaled)
}

final class Counter: @unchecked Sendable { // fields are only touched while holding `lock`
    let lock = NSLockLike()
    var completed = 0
    var latencies: [UInt64] = []
}

/// A minimal pthread mutex (no Foundation in this benchmark).
final class NSLockLike: @unchecked Sendable { // the mutex is heap storage owned by this object; pthread makes it thread-safe
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(mutex, nil) }
    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }
    func withLock<T>(_ body: () -> T) -> T { pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }; return body() }
}

let options = Options(CommandLine.arguments)
mkdir(options.directory, 0o755)
let payload = [UInt8](repeating: 0x5A, count: options.recordBytes)
print("StoreBench: \(options.recordBytes)-byte records, \(options.seconds) s per case, CRC32C hardware: \(CRC32C.isHardwareAccelerated)")

// MARK: CRC
do {
    let block = [UInt8](repeating: 7, count: 1 << 20)
    var crc: UInt32 = 0
    let start = now()
    for _ in 0..<2000 { crc = CRC32C.checksum(block, continuing: crc) }
    let seconds = Double(now() - start) / 1e9
    print("crc32c: \(format(2000 / seconds / 1024)) GiB/s (checksum \(crc))")
}

// MARK: append
enum Mode: String { case blocking = "blocking, 1 thread", pipelined = "completion API, 1 thread, 64 batches in flight", concurrent = "blocking, 4 threads" }

func appendCase(policy: FsyncPolicy, batch: Int, mode: Mode) throws -> String {
    let dir = options.directory + "/append"
    removeTree(dir)
    var configuration = EventLogConfiguration(directory: dir)
    configuration.fsync = policy
    let log = try EventLog(configuration: configuration)
    let batchPayloads = [[UInt8]](repeating: payload, count: batch)
    let deadline = now() + UInt64(options.seconds * 1e9)
    var records = 0
    var latencies: [UInt64] = []
    let start = now()
    switch mode {
    case .blocking:
        while now() < deadline {
            let t0 = now()
            try log.append(batchPayloads)
            latencies.append(now() - t0)
            records += batch
        }
    case .concurrent:
        let counter = Counter()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            var local: [UInt64] = []
            var n = 0
            while now() < deadline {
                let t0 = now()
                _ = try? log.append(batchPayloads)
                local.append(now() - t0)
                n += batch
            }
            counter.lock.withLock {
                counter.completed += n
                counter.latencies += local
            }
        }
        records = counter.completed
        latencies = counter.latencies
    case .pipelined:
        let window = DispatchSemaphore(value: 64)
        let counter = Counter()
        var issued = 0
        while now() < deadline {
            window.wait()
            let t0 = now()
            log.append(batchPayloads) { result in
                let t1 = now()
                if case .failure(let error) = result { fatalError("\(error)") }
                counter.lock.withLock { counter.latencies.append(t1 - t0) }
                window.signal()
            }
            issued += 1
        }
        for _ in 0..<64 { window.wait() }
        // A dispatch semaphore must be back at its initial value before it is released.
        for _ in 0..<64 { window.signal() }
        records = issued * batch
        latencies = counter.lock.withLock { counter.latencies }
    }
    let elapsed = Double(now() - start) / 1e9
    let stats = log.statistics
    log.close()
    removeTree(dir)
    latencies.sort()
    let rate = Double(records) / elapsed
    let mb = rate * Double(options.recordBytes) / 1e6
    let perCommit = stats.groupCommits > 0 ? Double(stats.records) / Double(stats.groupCommits) : 0
    return "| \(policy) | \(batch) | \(mode.rawValue) | \(format(rate / 1000)) k | \(format(mb)) | \(format(percentile(latencies, 0.5))) | \(format(percentile(latencies, 0.99))) | \(format(perCommit)) | \(stats.syncs) |"
}

print("")
print("| fsync | batch | appender | events/s | MB/s | p50 µs | p99 µs | records per group commit | fsyncs |")
print("|---|---|---|---|---|---|---|---|---|")
for policy in [FsyncPolicy.always, .interval(milliseconds: 200), .never] {
    for batch in [1, 16, 64] {
        for mode in [Mode.blocking, .pipelined, .concurrent] {
            print(try appendCase(policy: policy, batch: batch, mode: mode))
        }
    }
}

// MARK: read + recovery
func writeLog(_ dir: String, bytes: Int) throws -> UInt64 {
    removeTree(dir)
    var configuration = EventLogConfiguration(directory: dir)
    configuration.fsync = .never
    let log = try EventLog(configuration: configuration)
    let batch = [[UInt8]](repeating: payload, count: 256)
    let perBatch = 256 * (options.recordBytes + 32)
    var written = 0
    while written < bytes {
        log.append(batch) { result in if case .failure(let e) = result { fatalError("\(e)") } }
        written += perBatch
    }
    try log.sync()
    let last = log.lastPosition
    log.close()
    return last
}

func readAll(_ dir: String) throws -> (Double, Int, Int) {
    let log = try EventLog(configuration: EventLogConfiguration(directory: dir))
    defer { log.close() }
    var batch = LogReadBatch()
    var next = log.firstPosition
    var records = 0, bytes = 0
    let start = now()
    while true {
        try log.read(from: next, maxRecords: 4096, maxBytes: 1 << 20, into: &batch)
        guard let last = batch.last else { break }
        records += batch.count
        bytes += batch.payloadBytes
        next = last.position + 1
    }
    return (Double(now() - start) / 1e9, records, bytes)
}

func timeOpen(_ dir: String) throws -> (Double, RecoveryReport) {
    let start = now()
    let log = try EventLog(configuration: EventLogConfiguration(directory: dir))
    let elapsed = Double(now() - start) / 1e9
    let report = log.recoveryReport
    log.close()
    return (elapsed, report)
}

if !options.skipRecovery {
    let dir = options.directory + "/recovery"
    // Round up to whole 64 MiB segments minus 4 MiB, so the active segment that a
    // crash recovery must scan is nearly full (the worst case for recovery time).
    let segment = 64 << 20
    let requested = Int(options.recoveryGigabytes * 1_073_741_824)
    let target = max(((requested + segment - 1) / segment) * segment - (4 << 20), segment / 2)
    let t0 = now()
    let last = try writeLog(dir, bytes: target)
    let writeSeconds = Double(now() - t0) / 1e9
    print("")
    print("log for read/recovery: \(last) records, \(format(Double(target) / 1_073_741_824)) GiB written in \(format(writeSeconds)) s (fsync never + final sync)")
    let (readSeconds, records, bytes) = try readAll(dir)
    print("read: \(records) records in \(format(readSeconds)) s = \(format(Double(records) / readSeconds / 1e6)) M events/s, \(format(Double(bytes) / readSeconds / 1e6)) MB/s payload (page cache warm, CRC verified)")

    let (clean, cleanReport) = try timeOpen(dir)
    print("recovery, clean shutdown: \(format(clean * 1000)) ms — \(cleanReport)")

    // Crash: the active segment ends with a torn record (cut 100 bytes into the last record).
    let names = (try? listSegments(dir)) ?? []
    if let lastSegment = names.last {
        let path = dir + "/" + lastSegment
        var st = stat()
        stat(path, &st)
        truncate(path, off_t(st.st_size) - off_t(options.recordBytes + 32) + 100)
    }
    let (torn, tornReport) = try timeOpen(dir)
    print("recovery, torn tail (crash): \(format(torn * 1000)) ms — \(tornReport)")

    // Worst case: every index file lost, so every segment is read and checksummed.
    for name in (try? listFiles(dir)) ?? [] where name.hasSuffix(".idx") { unlink(dir + "/" + name) }
    if let lastSegment = names.last {
        let path = dir + "/" + lastSegment
        var st = stat()
        stat(path, &st)
        truncate(path, off_t(st.st_size) - 7)
    }
    let (full, fullReport) = try timeOpen(dir)
    print("recovery, torn tail and no index files (full scan): \(format(full * 1000)) ms — \(fullReport)")
    removeTree(dir)
}
removeTree(options.directory)

func listFiles(_ path: String) throws -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

func listSegments(_ path: String) throws -> [String] {
    try listFiles(path).filter { $0.hasSuffix(".log") }
}
