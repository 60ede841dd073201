import CJunctionWire
import Foundation
import JunctionPatterns
import JunctionWire
import NIOConcurrencyHelpers
import NIOCore

/// Hands out log positions. Positions are dense and grow with the order in
/// which workers process batches.
final class PositionSequencer: Sendable {
    private let next: NIOLockedValueBox<UInt64>

    init(first: UInt64 = 1) { next = NIOLockedValueBox(first) }

    /// Reserves `n` consecutive positions and returns the first.
    func reserve(_ n: Int) -> UInt64 {
        next.withLockedValue { value in
            defer { value += UInt64(n) }
            return value
        }
    }
}

/// The pipeline worker's logic for publish batches: checks each event,
/// stamps account, id, time, bus and position, routes it to matching
/// subscription streams, and writes the PublishAck. Runs on one worker
/// thread; not thread-safe.
final class PublishProcessor {
    private let router: Router
    private let limits: GatewayConfiguration.Limits
    private let sequencer: PositionSequencer
    private let matchContext = PatternMatchContext()
    private let defaultBusBytes = StableBytes("default")
    /// Schema checks per bus, and protobuf schemas for routing on `detail`.
    private let schemas: EventValidator

    /// Reused between groups of jobs (capacity kept).
    private var scratch = Scratch()

    private struct StampRecord {
        var code: RejectCode
        var message: String
        var bus: Router.BusRoutes?
        /// Where the suffix is in the job's stamp buffer.
        var suffix: Range<Int>
        /// Where a generated id is in the stamp buffer (empty when the event had one).
        var generatedID: Range<Int>
        var position: UInt64
    }

    init(router: Router, limits: GatewayConfiguration.Limits, sequencer: PositionSequencer, schemas: EventValidator) {
        self.router = router
        self.schemas = schemas
        self.limits = limits
        self.sequencer = sequencer
    }

    /// Processes a group of jobs and hands each back to its connection.
    func process(_ jobs: [PublishJob]) {
        let snapshot = router.snapshot()
        let now = Self.wallClockNanos()
        schemas.beginGroup()
        // Work on locals: class properties would be checked for exclusive
        // access on every use in the per-event loops.
        var scratch = self.scratch
        self.scratch = Scratch()
        for job in jobs { process(job, snapshot: snapshot, now: now, scratch: &scratch) }
        for (_, entry) in scratch.pending { entry.target.deliver(entry.items) }
        scratch.pending.removeAll(keepingCapacity: true)
        self.scratch = scratch
        schemas.endGroup()
        // One task per event loop for all the acks of this group.
        var byLoop: [ObjectIdentifier: (loop: EventLoop, jobs: [PublishJob])] = [:]
        for job in jobs {
            let loop = job.connection.eventLoop
            byLoop[ObjectIdentifier(loop), default: (loop, [])].jobs.append(job)
        }
        for (_, entry) in byLoop {
            let jobs = entry.jobs
            entry.loop.execute {
                for job in jobs { job.connection.value.publishCompleted(job) }
            }
        }
    }

    private struct Scratch {
        /// Deliveries gathered over one drained group of jobs, per target.
        var pending: [ObjectIdentifier: (target: SubscriptionTarget, items: [DeliveryItem])] = [:]
        /// Per-event records of the current job.
        var stamps: [StampRecord] = []
        var ids = EventIDGenerator()
    }

    private func process(_ job: PublishJob, snapshot: Router.Snapshot, now: Int64, scratch: inout Scratch) {
        let count = job.eventCount
        scratch.stamps.removeAll(keepingCapacity: true)
        var stampBuffer = job.allocator.buffer(capacity: count * (48 + job.account.nameBytes.count + 16))
        let batchTooLarge = count > limits.maxBatchEvents

        // Pass 1: check and stamp. Positions are reserved for the accepted
        // events after the checks.
        var accepted = 0
        for i in 0..<count {
            let event = job.event(i)
            var record = StampRecord(code: .accepted, message: "", bus: nil, suffix: 0..<0, generatedID: 0..<0, position: 0)
            if batchTooLarge {
                record.code = .invalidEvent
                record.message = "the batch holds \(count) events; the limit is \(limits.maxBatchEvents)"
            } else if let (code, message) = check(event, size: job.ranges[i].count) {
                record.code = code
                record.message = message
            } else {
                let explicitBus = event.bus
                let busName = explicitBus.count > 0 ? explicitBus : (job.defaultBus.count > 0 ? job.defaultBus : defaultBusBytes.buffer)
                if let bus = snapshot.bus(named: busName) {
                    if let (code, message) = schemas.check(event, bus: busName) {
                        record.code = code
                        record.message = message
                    } else {
                        record.bus = bus
                        accepted += 1
                    }
                } else {
                    record.code = .unknownBus
                    record.message = "bus \"\(busName.string)\" does not exist"
                }
            }
            scratch.stamps.append(record)
        }
        var position = accepted > 0 ? sequencer.reserve(accepted) : 0
        for i in 0..<count where scratch.stamps[i].code == .accepted {
            let event = job.event(i)
            scratch.stamps[i].position = position
            position += 1
            let start = stampBuffer.writerIndex
            let needsID = event.id.count == 0
            let needsBus = event.bus.count == 0
            let bus = scratch.stamps[i].bus!
            let reserve = 64 + job.account.nameBytes.count + (needsBus ? bus.nameBytes.count + 4 : 0)
            var idOffset = 0
            stampBuffer.writeWithUnsafeMutableBytes(minimumWritableBytes: reserve) { raw in
                var w = ProtoWriter(raw)
                if needsID {
                    w.tag(1, 2)
                    w.varint(UInt64(EventIDGenerator.length))
                    idOffset = w.written(since: raw.baseAddress!)
                    scratch.ids.write(into: &w, nowNanos: now)
                }
                if event.timeUnixNanos == 0 {
                    w.tag(4, 0)
                    w.varint(UInt64(bitPattern: now))
                }
                w.bytesField(7, job.account.nameBytes.buffer)
                if needsBus { w.bytesField(8, bus.nameBytes.buffer) }
                w.uint64Field(13, scratch.stamps[i].position)
                return w.written(since: raw.baseAddress!)
            }
            scratch.stamps[i].suffix = start..<stampBuffer.writerIndex
            if needsID { scratch.stamps[i].generatedID = (start + idOffset)..<(start + idOffset + EventIDGenerator.length) }
        }

        // Pass 2: route (the stamp buffer no longer grows, so slices of it
        // share its storage) and write the ack.
        var ack = job.allocator.buffer(capacity: 32 + count * 24)
        stampBuffer.withUnsafeReadableBytes { stampBytes in
            let base = stampBuffer.readerIndex
            var source: DeliverySource?
            withUnsafeTemporaryAllocation(of: EventOutcome.self, capacity: max(count, 1)) { outcomes in
                for i in 0..<count {
                    let event = job.event(i)
                    let record = scratch.stamps[i]
                    let id = record.generatedID.isEmpty
                        ? event.id
                        : UnsafeRawBufferPointer(rebasing: stampBytes[(record.generatedID.lowerBound - base)..<(record.generatedID.upperBound - base)])
                    (outcomes.baseAddress! + i).initialize(to: EventOutcome(id: id, position: record.position, code: record.code, message: record.message))
                    guard record.code == .accepted, let bus = record.bus, !bus.targets.isEmpty else { continue }
                    let time = event.timeUnixNanos != 0 ? event.timeUnixNanos : now
                    let routed = RoutedEvent(view: event, account: job.account.nameBytes.buffer, id: id, timeUnixNanos: time, schemas: schemas)
                    bus.matcher.match(routed, context: matchContext) { index in
                        let target = bus.targets[index]
                        if source == nil { source = DeliverySource(body: job.body, stamps: stampBuffer) }
                        let item = DeliveryItem(
                            source: source!, eventOffset: UInt32(job.ranges[i].lowerBound), eventLength: UInt32(job.ranges[i].count),
                            stampOffset: UInt32(record.suffix.lowerBound - base), stampLength: UInt32(record.suffix.count), attempt: 1)
                        scratch.pending[ObjectIdentifier(target), default: (target, [])].items.append(item)
                    }
                }
                ack.writeFrame(PublishAckFrame(batchID: job.batchID, outcomes: UnsafeBufferPointer(start: outcomes.baseAddress, count: count)))
                outcomes.baseAddress!.deinitialize(count: count)
            }
        }
        job.ack = ack
    }

    /// The first problem with an event's envelope, or nil.
    private func check(_ e: EventView, size: Int) -> (RejectCode, String)? {
        if size > limits.maxEventBytes {
            return (.tooLarge, "the encoded event is \(size) bytes; the limit is \(limits.maxEventBytes)")
        }
        let source = e.source
        if source.count == 0 { return (.invalidEvent, "source: required, is empty") }
        if source.count > limits.maxSourceBytes { return (.invalidEvent, "source: \(source.count) bytes; the limit is \(limits.maxSourceBytes)") }
        let detailType = e.detailType
        if detailType.count == 0 { return (.invalidEvent, "detail_type: required, is empty") }
        if detailType.count > limits.maxDetailTypeBytes {
            return (.invalidEvent, "detail_type: \(detailType.count) bytes; the limit is \(limits.maxDetailTypeBytes)")
        }
        if e.id.count > limits.maxIDBytes { return (.invalidEvent, "id: \(e.id.count) bytes; the limit is \(limits.maxIDBytes)") }
        if e.subject.count > limits.maxSubjectBytes {
            return (.invalidEvent, "subject: \(e.subject.count) bytes; the limit is \(limits.maxSubjectBytes)")
        }
        if e.timeUnixNanos < 0 { return (.invalidEvent, "time_unix_nanos: negative (\(e.timeUnixNanos))") }
        if e.resourceCount > limits.maxResources {
            return (.invalidEvent, "resources: \(e.resourceCount) entries; the limit is \(limits.maxResources)")
        }
        for r in 0..<e.resourceCount where e.resource(r).count > limits.maxResourceBytes {
            return (.invalidEvent, "resources[\(r)]: \(e.resource(r).count) bytes; the limit is \(limits.maxResourceBytes)")
        }
        if e.attributeCount > limits.maxAttributes {
            return (.invalidEvent, "attributes: \(e.attributeCount) entries; the limit is \(limits.maxAttributes)")
        }
        for a in 0..<e.attributeCount {
            let key = e.attributeKey(a)
            if key.count == 0 { return (.invalidEvent, "attributes: a key is empty") }
            if key.count > limits.maxAttributeKeyBytes {
                return (.invalidEvent, "attributes[\"\(key.string.prefix(40))\"]: key is \(key.count) bytes; the limit is \(limits.maxAttributeKeyBytes)")
            }
            if e.attributeValue(a).count > limits.maxAttributeValueBytes {
                return (.invalidEvent, "attributes[\"\(key.string)\"]: value is \(e.attributeValue(a).count) bytes; the limit is \(limits.maxAttributeValueBytes)")
            }
        }
        if e.hasSchema {
            if e.schemaSubject.count == 0 { return (.invalidEvent, "schema.subject: required when schema is set") }
            if e.schemaSubject.count > 255 { return (.invalidEvent, "schema.subject: \(e.schemaSubject.count) bytes; the limit is 255") }
        }
        return nil
    }

    static func wallClockNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
