import ArgumentParser
import CJunctionWire
import Foundation
import JunctionAdmin
import JunctionClient
import JunctionJSON
import JunctionTLS
import JunctionWire
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a running gateway: throughput, publish-to-delivery latency, losses.",
        discussion: """
            Throughput (as fast as possible, 64-event batches):
              junction bench --ca junction-data/ca.pem --token-file junction-data/dev-token --count 1000000
            Latency at a fixed rate (one event per batch):
              junction bench ... --rate 2000 --batch 1 --duration 10
            Publishers and subscribers each use their own connection; every subscriber
            receives every event of the run: its pattern matches the run's own source
            ({"source":["bench.<run id>"]}), so each event goes through the matcher.
            Latency is measured from the time stamped into each event by the publisher
            to its arrival at a subscriber.
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "Publishing connections.") var publishers: Int = 1
    @Option(help: "Subscribing connections (each receives every event).") var subscribers: Int = 1
    @Option(help: "Encoded event size in bytes (envelope and detail).") var size: Int = 256
    @Option(help: "Events per batch.") var batch: Int = 64
    @Option(help: "Total events per second over all publishers; 0 = as fast as possible.") var rate: Double = 0
    @Option(help: "Events to publish in total (ignored with --duration).") var count: Int = 1_000_000
    @Option(help: "Publish for this many seconds instead of --count.") var duration: Double?
    @Option(help: "Batches in flight per publisher (default: 1,024 events' worth, so 16 batches of 64 or 64 of 16; at most 64, the gateway's default limit per connection).")
    var pipeline: Int?
    @Option(help: "Events published but not yet delivered to every subscriber, at most, per publisher (end-to-end flow control, so that a measurement at full speed loses nothing; 0 = no limit).")
    var maxUndelivered: Int = 8_000
    @Option(help: "Client event loop threads (default: one per publisher and subscriber, at most one per core, so that a publisher and a subscriber do not share a thread).")
    var threads: Int?
    @Option(help: "Gateway process id, to report its CPU time and memory.") var serverPid: Int32?
    @Option(help: "Seconds to wait for the last deliveries.") var drainTimeout: Double = 10
    @Flag(help: "Print the result as one JSON object.") var json = false
    @Flag(help: "Subscribers consume durable subscriptions (one each, created for the run and deleted after it) and ack every delivery.") var durable = false
    @Option(help: "Also create this many durable subscriptions matching every event, each with a consumer that takes 1,000 deliveries and then stalls (never acks, grants no more): their backlog must stay in the log without slowing the measured subscribers (isolation).") var stalled: Int = 0
    @Option(help: "json or protobuf: events carry a schema reference (subject bench.<format>, registered first) and a detail valid for it; start the gateway with --validation default=enforce to measure validation.")
    var schema: String?
    @Option(help: "Instead of traffic: open this many idle TLS connections (Hello/Welcome each) and report the gateway's memory per 1,000 (needs --server-pid).")
    var idleConnections: Int?

    func validate() throws {
        guard publishers >= 1, subscribers >= 0, batch >= 1, (pipeline ?? 1) >= 1, (threads ?? 1) >= 1 else {
            throw ValidationError("--publishers, --batch, --pipeline and --threads must be at least 1")
        }
        guard size >= 64 else { throw ValidationError("--size must be at least 64 bytes") }
    }

    func run() async throws {
        let (host, port) = try client.hostAndPort()
        let tls = try client.tlsConfiguration()
        let token = try client.resolvedToken()
        let connections = publishers + subscribers + stalled
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads ?? max(1, min(System.coreCount, connections)))
        do {
            try await measure(host: host, port: port, tls: tls, token: token, group: group)
            try? await group.shutdownGracefully()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func measure(host: String, port: Int, tls: TLSConfiguration?, token: String, group: EventLoopGroup) async throws {
        if let idle = idleConnections {
            return try await measureIdle(count: idle, host: host, port: port, tls: tls, token: token, group: group)
        }

        let stats = BenchStats()
        let runID = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let source = "bench.\(runID)"
        let pattern = #"{"source":["\#(source)"]}"#

        // Subscribers take the client threads from the first on, publishers
        // from the last one back, so that with --threads 2 a publisher and a
        // subscriber do not share a thread (connections otherwise land on
        // threads in the order they were opened, other connections included).
        let loops = Array(group.makeIterator())
        func subscriberLoop(_ i: Int) -> EventLoop { loops[i % loops.count] }
        func publisherLoop(_ i: Int) -> EventLoop { loops[loops.count - 1 - i % loops.count] }

        // The gateway's log counters (nil with --no-store), to report group commits. Opened
        // first: the gateway hands connections to its event loops in turn, so a
        // connection opened between the subscribers and the publishers would put
        // a subscriber and a publisher on one gateway thread.
        let statsConnection = try await JunctionConnection.connect(host: host, port: port, tls: tls, token: token,
                                                                   clientName: "junction-bench-stats", eventLoopGroup: group)

        var subs: [JunctionConnection] = []
        var durableNames: [(JunctionConnection, String)] = []
        var recorders: [NIOLoopBound<SubscriberRecorder>] = []
        // The stalled consumers and the schema registration also connect
        // before the measured subscribers and publishers (see above).
        for i in 0..<stalled {
            let c = try await JunctionConnection.connect(host: host, port: port, tls: tls, token: token,
                                                         clientName: "junction-bench-stalled-\(i)", eventLoopGroup: group)
            let name = "bench-stalled-\(UInt32.random(in: 0...UInt32.max))-\(i)"
            _ = try await c.admin(AdminOperation.subscriptionCreate, SubscriptionSpec(name: name, pattern: pattern), as: SubscriptionInfo.self)
            durableNames.append((c, name))
            _ = try await c.subscribeEncoded(durable: name, credits: 1_000, onDeliveries: { _ in }, onEnd: { _ in })
            subs.append(c)
        }

        var benchSchema: BenchSchema?
        if let schema {
            guard let format = BenchSchema(rawValue: schema) else { throw ValidationError("--schema \(schema): use json or protobuf") }
            let c = try await JunctionConnection.connect(host: host, port: port, tls: tls, token: token,
                                                         clientName: "junction-bench-schema", eventLoopGroup: group)
            try await format.register(on: c)
            await c.close()
            benchSchema = format
        }
        // Set once the run closes its own connections.
        let closing = NIOLockedValueBox(false)
        for i in 0..<subscribers {
            let c = try await JunctionConnection.connect(host: host, port: port, tls: tls, token: token,
                                                         clientName: "junction-bench-sub-\(i)", eventLoopGroup: subscriberLoop(i))
            let credits = UInt32(min(c.server.maxCredits, 10_000))
            let recorder = try await c.eventLoop.submit {
                NIOLoopBound(SubscriberRecorder(stats: stats, connection: c, window: credits), eventLoop: c.eventLoop)
            }.get()
            var durableName = ""
            if durable {
                durableName = "bench-\(UInt32.random(in: 0...UInt32.max))-\(i)"
                var spec = SubscriptionSpec(name: durableName, pattern: pattern)
                spec.maxInFlight = Int(credits)
                _ = try await c.admin(AdminOperation.subscriptionCreate, spec, as: SubscriptionInfo.self)
                durableNames.append((c, durableName))
                try await c.eventLoop.submit { recorder.value.acks = true }.get()
            }
            let subscriptionID = try await c.subscribeEncoded(
                pattern: durable ? "" : pattern, durable: durableName, credits: credits,
                onDeliveries: { recorder.value.received($0) },
                onEnd: { error in
                    // Not the end the run itself asks for when it closes its connections.
                    if !closing.withLockedValue({ $0 }) { FileHandle.standardError.write(Data("subscriber \(i): \(error)\n".utf8)) }
                })
            try await c.eventLoop.submit { recorder.value.subscriptionID = subscriptionID }.get()
            recorders.append(recorder)
            subs.append(c)
        }

        let template = EventTemplate(source: source, size: size, schema: benchSchema)
        let perPublisher = duration == nil ? count / publishers : Int.max
        let ratePerPublisher = rate / Double(publishers)
        let logBefore = try? await statsConnection.admin(AdminOperation.logStats, EmptyDocument(), as: LogStatistics.self)
        let cpuStart = CPUTime.process()
        let serverStart = serverPid.flatMap(CPUTime.of)
        let start = NIODeadline.now()

        var pubs: [JunctionConnection] = []
        var done: [EventLoopFuture<Void>] = []
        for i in 0..<publishers {
            let c = try await JunctionConnection.connect(host: host, port: port, tls: tls, token: token,
                                                         clientName: "junction-bench-pub-\(i)", eventLoopGroup: publisherLoop(i))
            pubs.append(c)
            let batch = min(self.batch, c.server.maxBatchEvents)
            // The same number of events in flight whatever the batch size.
            let pipeline = self.pipeline ?? min(64, max(1, 1024 / batch))
            done.append(c.eventLoop.flatSubmit {
                Publisher(connection: c, template: template, stats: stats, total: perPublisher, batch: batch,
                          pipeline: pipeline, rate: ratePerPublisher, duration: duration.map { .nanoseconds(Int64($0 * 1e9)) },
                          maxUndelivered: subscribers == 0 ? 0 : maxUndelivered * publishers,
                          subscribers: subscribers).start()
            })
        }
        for f in done { try await f.get() }
        let publishEnd = NIODeadline.now()

        // Wait for the subscribers to receive everything accepted.
        let expected = { stats.accepted * UInt64(subscribers) }
        let drainDeadline = NIODeadline.now() + .nanoseconds(Int64(drainTimeout * 1e9))
        while stats.delivered < expected(), NIODeadline.now() < drainDeadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let end = NIODeadline.now()
        let cpu = CPUTime.process() - cpuStart
        let serverCPU = serverPid.flatMap(CPUTime.of).map { $0 - (serverStart ?? 0) }
        let serverRSS = serverPid.flatMap { CPUTime.statusKilobytes($0, field: "VmHWM") }
        let logAfter = try? await statsConnection.admin(AdminOperation.logStats, EmptyDocument(), as: LogStatistics.self)
        await statsConnection.close()
        var logResult: JSONValue = .null
        var logLine: String?
        if let a = logBefore, let b = logAfter {
            let records = Double(b.records - a.records), appends = Double(max(1, b.appendCalls - a.appendCalls))
            let syncs = Double(b.syncs - a.syncs), writes = Double(max(1, b.groupCommits - a.groupCommits))
            func n(_ x: Double) -> JSONValue { .number(JSONNumber((x * 10).rounded() / 10)) }
            logResult = .object(JSONObject(members: [
                .init(key: "fsync", value: .string(b.fsync)),
                .init(key: "records", value: n(records)),
                .init(key: "appends", value: n(appends)),
                .init(key: "writes", value: n(writes)),
                .init(key: "syncs", value: n(syncs)),
                .init(key: "records_per_append", value: n(records / appends)),
                .init(key: "records_per_write", value: n(records / writes)),
                .init(key: "records_per_sync", value: syncs > 0 ? n(records / syncs) : .null),
            ]))
            logLine = "log        fsync \(b.fsync): \(Int(records)) records in \(Int(appends)) appends, \(Int(writes)) writes, \(Int(syncs)) fsyncs"
                + (syncs > 0 ? String(format: " (%.0f records per fsync)", records / syncs) : "")
        }

        for r in recorders {
            let h = try await r.eventLoop.submit { r.value.histogram }.get()
            stats.merge(h)
        }
        closing.withLockedValue { $0 = true }
        for c in pubs { await c.close() }
        for (c, name) in durableNames {
            _ = try? await c.admin(AdminOperation.subscriptionDelete, NameRequest(name: name), as: DeleteResult.self)
        }
        for c in subs { await c.close() }

        let snapshot = stats.snapshot()
        let publishSeconds = Double((publishEnd - start).nanoseconds) / 1e9
        let totalSeconds = Double((end - start).nanoseconds) / 1e9
        let lost = Int64(snapshot.accepted * UInt64(subscribers)) - Int64(snapshot.delivered)
        let h = snapshot.histogram
        let us = { (v: UInt64) in (Double(v) / 1000 * 10).rounded() / 10 }
        let deliveredRate = Double(snapshot.delivered) / totalSeconds
        let result: [(String, JSONValue)] = [
            ("events_per_second", .number(JSONNumber((Double(snapshot.accepted) / publishSeconds).rounded()))),
            ("delivered_per_second", .number(JSONNumber(deliveredRate.rounded()))),
            ("mb_per_second", .number(JSONNumber((Double(snapshot.accepted) * Double(size) / publishSeconds / 1e4).rounded() / 100))),
            ("published", .number(JSONNumber(Double(snapshot.accepted)))),
            ("rejected", .number(JSONNumber(Double(snapshot.rejected)))),
            ("delivered", .number(JSONNumber(Double(snapshot.delivered)))),
            ("lost", .number(JSONNumber(Double(max(0, lost))))),
            ("latency_us", .object(JSONObject(members: [
                .init(key: "p50", value: .number(JSONNumber(us(h.percentile(50))))),
                .init(key: "p90", value: .number(JSONNumber(us(h.percentile(90))))),
                .init(key: "p99", value: .number(JSONNumber(us(h.percentile(99))))),
                .init(key: "p999", value: .number(JSONNumber(us(h.percentile(99.9))))),
                .init(key: "max", value: .number(JSONNumber(us(h.max)))),
            ]))),
            ("seconds", .number(JSONNumber((publishSeconds * 1000).rounded() / 1000))),
            ("client_cpu_seconds", .number(JSONNumber((cpu * 100).rounded() / 100))),
            ("server_cpu_seconds", serverCPU.map { .number(JSONNumber(($0 * 100).rounded() / 100)) } ?? .null),
            ("server_rss_mb", serverRSS.map { .number(JSONNumber((Double($0) / 1024 * 10).rounded() / 10)) } ?? .null),
            ("log", logResult),
            ("config", .object(JSONObject(members: [
                .init(key: "publishers", value: .number(JSONNumber(Double(publishers)))),
                .init(key: "subscribers", value: .number(JSONNumber(Double(subscribers)))),
                .init(key: "size", value: .number(JSONNumber(Double(size)))),
                .init(key: "batch", value: .number(JSONNumber(Double(batch)))),
                .init(key: "rate", value: .number(JSONNumber(rate))),
                .init(key: "tls", value: .bool(tls != nil)),
            ]))),
        ]
        if json {
            print(JSONValue.object(JSONObject(members: result.map { .init(key: $0.0, value: $0.1) })).serialized())
        } else {
            print("published  \(snapshot.accepted) events in \(String(format: "%.2f", publishSeconds)) s: \(Int(Double(snapshot.accepted) / publishSeconds)) events/s")
            print("delivered  \(snapshot.delivered) (\(subscribers) subscriber(s)), lost \(max(0, lost)), rejected \(snapshot.rejected)")
            print("latency    p50 \(us(h.percentile(50))) us, p90 \(us(h.percentile(90))) us, p99 \(us(h.percentile(99))) us, p99.9 \(us(h.percentile(99.9))) us, max \(us(h.max)) us")
            print("cpu        client \(String(format: "%.2f", cpu)) s" + (serverCPU.map { String(format: ", server %.2f s", $0) } ?? "")
                  + (serverRSS.map { ", server RSS \($0 / 1024) MiB" } ?? ""))
            if let logLine { print(logLine) }
        }
        if lost > 0 { throw ExitCode(1) }
    }
}

extension BenchCommand {
    /// Opens `count` connections that stay idle and reports how the gateway's
    /// resident memory grew.
    func measureIdle(count: Int, host: String, port: Int, tls: TLSConfiguration?, token: String, group: EventLoopGroup) async throws {
        guard let pid = serverPid else { throw ValidationError("--idle-connections needs --server-pid") }
        func rss() -> Int { CPUTime.statusKilobytes(pid, field: "VmRSS") ?? 0 }
        let before = rss()
        var connections: [JunctionConnection] = []
        connections.reserveCapacity(count)
        for i in 0..<count {
            connections.append(try await JunctionConnection.connect(host: host, port: port, tls: tls, token: token,
                                                                    clientName: "idle-\(i)", eventLoopGroup: group))
        }
        try await Task.sleep(for: .milliseconds(500))
        let after = rss()
        let perThousand = Double(after - before) / Double(count) * 1000 / 1024
        let result = JSONValue.object(JSONObject(members: [
            .init(key: "idle_connections", value: .number(JSONNumber(Double(count)))),
            .init(key: "server_rss_before_mb", value: .number(JSONNumber((Double(before) / 1024 * 10).rounded() / 10))),
            .init(key: "server_rss_after_mb", value: .number(JSONNumber((Double(after) / 1024 * 10).rounded() / 10))),
            .init(key: "mb_per_1000_connections", value: .number(JSONNumber((perThousand * 10).rounded() / 10))),
            .init(key: "tls", value: .bool(tls != nil)),
        ]))
        if json {
            print(result.serialized())
        } else {
            print("\(count) idle connections: server RSS \(before / 1024) MiB -> \(after / 1024) MiB, \(String(format: "%.1f", perThousand)) MiB per 1,000")
        }
        for c in connections { await c.close() }
    }
}

/// Counters shared by the benchmark's connections.
final class BenchStats: Sendable {
    struct Snapshot {
        var accepted: UInt64 = 0
        var rejected: UInt64 = 0
        var delivered: UInt64 = 0
        var histogram = LatencyHistogram()
    }

    private let state = NIOLockedValueBox(Snapshot())

    var accepted: UInt64 { state.withLockedValue { $0.accepted } }
    var delivered: UInt64 { state.withLockedValue { $0.delivered } }
    func snapshot() -> Snapshot { state.withLockedValue { $0 } }

    func published(accepted: Int, rejected: Int) {
        state.withLockedValue {
            $0.accepted += UInt64(accepted)
            $0.rejected += UInt64(rejected)
        }
    }

    func delivered(_ count: Int) {
        state.withLockedValue { $0.delivered += UInt64(count) }
    }

    func merge(_ histogram: LatencyHistogram) {
        state.withLockedValue { $0.histogram.merge(histogram) }
    }
}

/// An encoded event without its time field; each copy gets the publish time.
struct EventTemplate: Sendable {
    let bytes: [UInt8]

    init(source: String, size: Int, schema: BenchSchema? = nil) {
        // Time is written separately (field 4, about 10 bytes).
        let base = OutgoingEvent(source: source, detailType: "BenchEvent", schemaSubject: schema?.subject ?? "",
                                 contentType: schema?.contentType ?? .binary)
        let overhead = base.encodedSize + 11 + 3
        var event = base
        if let schema {
            event.detail = schema.detail(padding: size - overhead - schema.detail(padding: 0).count - 1)
        } else {
            event.detail = [UInt8](repeating: 0x61, count: max(0, size - overhead))
        }
        bytes = event.encoded()
    }
}

/// Publishes batches on one connection, on its event loop.
final class Publisher {
    let connection: JunctionConnection
    let template: EventTemplate
    let stats: BenchStats
    let total: Int
    let batch: Int
    let pipeline: Int
    let rate: Double
    /// Publish for this long from `start()` (then `deadline` is set), or `total` events.
    let duration: TimeAmount?
    private var deadline: NIODeadline?
    let maxUndelivered: Int
    let subscribers: Int
    private var sent = 0
    private var waitingForSubscribers: Scheduled<Void>?
    private var inFlight = 0
    private var started = NIODeadline.now()
    private var finished: EventLoopPromise<Void>?
    /// At a fixed rate: the wake-up at the time the next event is due.
    private var pacer: Scheduled<Void>?
    /// A `fill()` is queued on the event loop: acks that arrive in one read
    /// are all counted before the next batches go out, in one flush.
    private var fillQueued = false

    init(connection: JunctionConnection, template: EventTemplate, stats: BenchStats, total: Int, batch: Int,
         pipeline: Int, rate: Double, duration: TimeAmount?, maxUndelivered: Int, subscribers: Int) {
        self.maxUndelivered = maxUndelivered
        self.subscribers = subscribers
        self.connection = connection
        self.template = template
        self.stats = stats
        self.total = total
        self.batch = batch
        self.pipeline = pipeline
        self.rate = rate
        self.duration = duration
    }

    func start() -> EventLoopFuture<Void> {
        let promise = connection.eventLoop.makePromise(of: Void.self)
        finished = promise
        let me = NIOLoopBound(self, eventLoop: connection.eventLoop)
        onAck = { result in me.value.acked(result) }
        started = .now()
        deadline = duration.map { started + $0 }
        if rate > 0 {
            paced()
        } else {
            fill()
        }
        return promise.futureResult
    }

    private var moreToSend: Bool {
        sent < total && (deadline.map { NIODeadline.now() < $0 } ?? true)
    }

    /// True when subscribers are too far behind to publish more now.
    private var subscribersBehind: Bool {
        guard maxUndelivered > 0 else { return false }
        let undelivered = Int(stats.accepted) * subscribers - Int(stats.delivered)
        return undelivered > maxUndelivered * subscribers
    }

    private func fill() {
        if subscribersBehind {
            // Look again shortly; acks alone do not tell us about deliveries.
            if waitingForSubscribers == nil, inFlight == 0 {
                let me = NIOLoopBound(self, eventLoop: connection.eventLoop)
                waitingForSubscribers = connection.eventLoop.scheduleTask(in: .microseconds(100)) {
                    me.value.waitingForSubscribers = nil
                    me.value.fill()
                }
            }
            return
        }
        if inFlight < pipeline, moreToSend, sendBatches(max: pipeline - inFlight) > 0 { connection.flush() }
        checkDone()
    }

    /// Sends what is due, then sleeps until the next event is due (one
    /// wake-up per batch: a fixed 200 µs tick woke this thread 5,000 times a
    /// second at any rate, CPU taken from the gateway on a small machine).
    private func paced() {
        pacer = nil
        let elapsed = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        let due = Int(elapsed * rate)
        // Send what is due; the in-flight bound keeps a stalled gateway from
        // piling up unbounded batches here.
        if sent < due, moreToSend, inFlight < pipeline * 64,
           sendBatches(max: min(pipeline * 64 - inFlight, (due - sent + batch - 1) / batch)) > 0 {
            connection.flush()
        }
        guard moreToSend else {
            checkDone()
            return
        }
        // Event number `sent + 1` is due at started + (sent + 1) / rate (or
        // the run ends first); when the in-flight bound held sends back, look
        // again shortly.
        let dueIn = min((Double(sent + 1) / rate * 1e9).rounded(.up), Double(Int64.max / 4))
        var wake = sent < due ? NIODeadline.now() + .microseconds(200) : started + .nanoseconds(Int64(dueIn))
        if let deadline { wake = min(wake, deadline) }
        let me = NIOLoopBound(self, eventLoop: connection.eventLoop)
        pacer = connection.eventLoop.scheduleTask(deadline: wake) { me.value.paced() }
    }

    /// Queues up to `max` batches (fewer when the run ends) as one buffer,
    /// without flushing: the callers flush once after. Returns how many.
    private func sendBatches(max: Int) -> Int {
        var count = 0
        var events = 0
        var bytes = 0
        let now = wallNanos()
        let templateBytes = template.bytes
        func frame(_ id: UInt64, _ n: Int) -> PublishBatchFrame<Range<Int>> {
            PublishBatchFrame(
                batchID: id, events: 0..<n,
                eventSize: { _ in ProtoSize.int64Field(4, now) + templateBytes.count },
                writeEvent: { _, w in
                    w.int64Field(4, now)
                    templateBytes.withUnsafeBytes { w.raw($0) }
                })
        }
        // Sized with the largest batch id, an upper bound.
        let fullBytes = frame(.max, batch).frameSize
        while count < max, sent + events < total {
            let n = min(batch, total - sent - events)
            bytes += n == batch ? fullBytes : frame(.max, n).frameSize
            events += n
            count += 1
        }
        guard count > 0 else { return 0 }
        let first = connection.reserveBatchIDs(count)
        var buffer = connection.allocator.buffer(capacity: bytes)
        var left = events
        for i in 0..<count {
            let body = frame(first + UInt64(i), min(batch, left))
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: body.frameSize) { body.writeFrame(into: $0) }
            left -= min(batch, left)
        }
        sent += events
        inFlight += count
        connection.publishEncodedOnLoop(buffer, firstBatchID: first, count: count, onAck: onAck!)
        return count
    }

    /// Called on the loop with each batch's ack: made once in `start()`, not
    /// per batch, and dropped when the run is done (it holds this publisher).
    private var onAck: (@Sendable (Result<PublishAckSummary, Error>) -> Void)?

    private func acked(_ result: Result<PublishAckSummary, Error>) {
        inFlight -= 1
        switch result {
        case .success(let summary):
            stats.published(accepted: summary.accepted, rejected: summary.rejected)
            if let r = summary.firstRejection {
                FileHandle.standardError.write(Data("rejected: \(r)\n".utf8))
            }
        case .failure(let error):
            FileHandle.standardError.write(Data("publish failed: \(error)\n".utf8))
            sent = total  // stop
            pacer?.cancel()
            pacer = nil
        }
        if rate == 0 { queueFill() } else { checkDone() }
    }

    private func queueFill() {
        guard !fillQueued else { return }
        fillQueued = true
        let me = NIOLoopBound(self, eventLoop: connection.eventLoop)
        connection.eventLoop.execute {
            me.value.fillQueued = false
            me.value.fill()
        }
    }

    private func checkDone() {
        if inFlight == 0 && !moreToSend && pacer == nil {
            finished?.succeed()
            finished = nil
            onAck = nil
        }
    }
}

/// Counts deliveries and their latency on the subscriber's event loop, and
/// grants credits back as they arrive.
final class SubscriberRecorder {
    let stats: BenchStats
    let connection: JunctionConnection
    let window: UInt32
    var subscriptionID: UInt32 = 0
    /// Ack every delivery (durable subscriptions).
    var acks = false
    private var ackIDs: [UInt64] = []
    private(set) var histogram = LatencyHistogram()
    private var ungranted: UInt32 = 0

    init(stats: BenchStats, connection: JunctionConnection, window: UInt32) {
        self.stats = stats
        self.connection = connection
        self.window = window
    }

    /// Reads the encoded Deliveries message: for each delivery, the last
    /// `time_unix_nanos` of its event (protobuf's last-value-wins rule).
    func received(_ message: UnsafeRawBufferPointer) {
        let now = wallNanos()
        var n = 0
        var deliveries = WireScanner(message)
        while let field = deliveries.next() {
            guard field.field == 2, field.wireType == 2 else { continue }
            n += 1
            var delivery = WireScanner(field.bytes)
            while let f = delivery.next() {
                if acks && f.field == 1 && f.wireType == 0 { ackIDs.append(f.value) }
                guard f.field == 3, f.wireType == 2 else { continue }
                // The benchmark's events always carry their publish time
                // (field 4, written first), so the gateway never stamps one:
                // the first occurrence is the value.
                var event = WireScanner(f.bytes)
                var sent: Int64 = 0
                while let e = event.next() {
                    if e.field == 4 && e.wireType == 0 {
                        sent = Int64(bitPattern: e.value)
                        break
                    }
                }
                histogram.record(UInt64(max(0, now - sent)))
            }
        }
        if acks && !ackIDs.isEmpty && subscriptionID != 0 {
            connection.ack(subscriptionID: subscriptionID, deliveryIDs: ackIDs)
            ackIDs.removeAll(keepingCapacity: true)
        }
        ungranted += UInt32(n)
        if ungranted >= window / 4, subscriptionID != 0 {
            connection.grant(subscriptionID: subscriptionID, credits: ungranted)
            ungranted = 0
        }
        stats.delivered(n)
    }
}

func wallNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// CPU time of this process or another one.
enum CPUTime {
    static func process() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// User plus system seconds of process `pid` from /proc.
    static func of(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A kilobyte figure of /proc/PID/status, e.g. "VmRSS" (resident now) or
    /// "VmHWM" (peak resident).
    static func statusKilobytes(_ pid: Int32, field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
        }
        return nil
    }
}
