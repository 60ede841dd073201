import CJunctionWire
import Foundation
import JunctionPatterns
import JunctionStore
import JunctionWire
import Logging
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
/// stamps account, id, time and bus, stores the accepted events in the event
/// log (one append per drained group of batches), routes them to matching
/// subscription streams, and writes the PublishAcks. Runs on one worker
/// thread; not thread-safe.
///
/// Acks and deliveries of a group leave only once the log has completed the
/// group's append under its fsync policy (``GroupDispatch``): an event that
/// was acknowledged, or seen by a subscriber, is in the log. The stored
/// record is the producer's bytes followed by the stamped fields; the
/// position is not stored (the log record header has it) but added to each
/// delivery, after the stamp (protobuf's last value wins, so a producer
/// cannot forge any stamped field).
final class PublishProcessor {
    private let router: Router
    private let limits: GatewayConfiguration.Limits
    private let log: EventLog?
    private let sequencer: PositionSequencer
    /// Told the last position of each completed append (durable subscriptions).
    private let appended: (@Sendable (UInt64) -> Void)?
    private let matchContext = PatternMatchContext()
    private let defaultBusBytes = StableBytes("default")
    /// Schema checks per bus, and protobuf schemas for routing on `detail`.
    private let schemas: EventValidator

    /// Reused between groups of jobs (capacity kept).
    private var scratch = Scratch(ids: EventIDGenerator())
    /// The previous group's dispatch: groups are answered in order.
    private var lastDispatch: GroupDispatch?
    private let logger: Logger
    private let failureLogged = NIOLockedValueBox(false)

    /// Plain data (no reference inside), so that the per-event copies and
    /// the array's reuse cost no reference counting.
    private struct StampRecord {
        var code: RejectCode
        /// Index of the reject message in `Scratch.messages` (-1: none).
        var message: Int32 = -1

        func message(in messages: [String]) -> String { message < 0 ? "" : messages[Int(message)] }
        /// The bus's index in the group's snapshot (-1 when rejected before one was found).
        var bus = -1
        /// Where the suffix is in the job's stamp buffer (readable-relative).
        var suffix: Range<Int>
        /// Where a generated id is in the stamp buffer (empty when the event had one).
        var generatedID: Range<Int>
        /// Log position (0 until assigned, and for rejected events).
        var position: UInt64 = 0
    }

    /// A matched (event, stream) pair of the current job; `slot` is the
    /// stream's slot in the group's snapshot.
    private struct Match {
        var event: Int
        var slot: Int
    }

    init(router: Router, limits: GatewayConfiguration.Limits, log: EventLog?, sequencer: PositionSequencer,
         schemas: EventValidator, logger: Logger, appended: (@Sendable (UInt64) -> Void)? = nil) {
        self.router = router
        self.logger = logger
        self.schemas = schemas
        self.limits = limits
        self.log = log
        self.sequencer = sequencer
        self.appended = appended
    }

    /// Processes a group of jobs and hands each back to its connection once
    /// the group is stored.
    func process(_ jobs: [PublishJob]) {
        let snapshot = router.snapshot()
        let now = Self.wallClockNanos()
        schemas.beginGroup()
        // Work on locals: class properties would be checked for exclusive
        // access on every use in the per-event loops.
        // The placeholder left behind allocates nothing and, as it copies the
        // id generator, reads no randomness (a new generator is seeded with a
        // getrandom system call).
        var scratch = self.scratch
        self.scratch = Scratch(ids: scratch.ids)
        defer { self.scratch = scratch }
        scratch.stamps.removeAll(keepingCapacity: true)
        scratch.views.removeAll(keepingCapacity: true)
        scratch.jobStart.removeAll(keepingCapacity: true)
        scratch.messages.removeAll(keepingCapacity: true)
        if scratch.slotItems.count < snapshot.targets.count {
            scratch.slotItems.append(contentsOf: repeatElement([], count: snapshot.targets.count - scratch.slotItems.count))
        }

        // Pass 1: check and stamp every event of the group. Consecutive
        // jobs share a stamp buffer of at most `stampChunkBytes` (a buffer
        // per batch was a malloc on this thread and a free on another per
        // batch); each job gets a slice of it, taken once no more is written
        // to the chunk (a write after a slice would copy the shared storage).
        // A delivery waiting in a slow subscriber's queue keeps its chunk
        // alive, so the chunk stays small (a job whose suffixes alone need
        // more gets a buffer of its own, as every job did before).
        var stampBuffers: [ByteBuffer] = []
        stampBuffers.reserveCapacity(jobs.count)
        scratch.stampEnds.removeAll(keepingCapacity: true)
        var chunk = ByteBuffer()
        func sliceChunk() {
            var start = chunk.readerIndex
            for end in scratch.stampEnds {
                stampBuffers.append(chunk.getSlice(at: start, length: end - start)!)
                start = end
            }
            scratch.stampEnds.removeAll(keepingCapacity: true)
        }
        var accepted = 0
        var chunkEnd = 0  // the first job after the current chunk
        for (j, job) in jobs.enumerated() {
            if j == chunkEnd {
                if !scratch.stampEnds.isEmpty { sliceChunk() }
                let capacity: Int
                (capacity, chunkEnd) = stampChunk(jobs[j...])
                chunk = job.allocator.buffer(capacity: capacity)
            }
            scratch.jobStart.append(scratch.stamps.count)
            stamp(job, snapshot: snapshot, now: now, scratch: &scratch, into: &chunk, accepted: &accepted)
            scratch.stampEnds.append(chunk.writerIndex)
        }
        if !scratch.stampEnds.isEmpty { sliceChunk() }

        // Store the accepted events: one append for the group.
        let dispatch = GroupDispatch(after: lastDispatch)
        lastDispatch = dispatch
        var firstPosition: UInt64 = 0
        if accepted == 0 {
            dispatch.stored(.success(0...0))
        } else if let log {
            firstPosition = append(jobs, stampBuffers: stampBuffers, accepted: accepted, to: log, scratch: &scratch, dispatch: dispatch)
        } else {
            firstPosition = sequencer.reserve(accepted)
            dispatch.stored(.success(firstPosition...(firstPosition + UInt64(accepted) - 1)))
        }

        // Pass 2: positions, routing, acks. Not when the log refused the
        // group up front: the dispatch then answers from the verdicts alone.
        var position = firstPosition
        let refused = accepted > 0 && firstPosition == 0
        if !refused {
            // The acks of consecutive jobs of one connection go in one buffer,
            // held by the first of them: one allocation and one channel write
            // per connection and group instead of per batch. Its jobs are
            // completed together, in order, by one task on their loop.
            var acks = ByteBuffer()
            var runStart = 0
            for (j, job) in jobs.enumerated() {
                if j == 0 || job.connectionID != jobs[j - 1].connectionID {
                    if j > 0 { jobs[runStart].ack = acks }
                    runStart = j
                    acks = job.allocator.buffer(capacity: Self.ackBytesEstimate(jobs[j...]))
                }
                route(job, snapshot: snapshot, stamps: stampBuffers[j], records: scratch.jobStart[j], position: &position,
                      now: now, scratch: &scratch, acks: &acks)
            }
            if !jobs.isEmpty { jobs[runStart].ack = acks }
        }
        var gathered: [(target: SubscriptionTarget, items: [DeliveryItem])] = []
        gathered.reserveCapacity(scratch.usedSlots.count)
        for slot in scratch.usedSlots {
            gathered.append((snapshot.targets[slot], scratch.slotItems[slot]))
            scratch.slotItems[slot] = []
        }
        scratch.usedSlots.removeAll(keepingCapacity: true)
        let pending = gathered  // a constant for the dispatch closure
        let appended = self.appended
        let lastPosition = firstPosition == 0 ? 0 : firstPosition + UInt64(accepted) - 1
        // For the (rare) failure answer: each event's own verdict. Capturing
        // an array makes the next group's reuse of it allocate anew, so the
        // messages are captured only when there are some.
        let records = log == nil ? [] : scratch.stamps
        let starts = log == nil ? [] : scratch.jobStart
        let messages = log == nil || scratch.messages.isEmpty ? [] : scratch.messages
        let logger = self.logger
        let failureLogged = self.failureLogged
        dispatch.ready { failure in
            if let failure {
                let first = failureLogged.withLockedValue { logged -> Bool in
                    defer { logged = true }
                    return !logged
                }
                if first {
                    logger.error("the event log refuses appends; publishes are answered REJECT_UNAVAILABLE until the gateway is restarted",
                                 metadata: ["error": "\(failure)"])
                }
                Self.answerFailed(jobs, records: records, starts: starts, messages: messages, failure: failure)
                return
            }
            if lastPosition != 0, let appended { appended(lastPosition) }
            Self.answer(jobs, deliveries: pending)
        }
    }

    private struct Scratch {
        /// Deliveries gathered over one drained group of jobs, indexed by
        /// the target's slot in the group's snapshot (empty when unused).
        var slotItems: [[DeliveryItem]] = []
        /// The slots that hold deliveries in the current group, in first-use order.
        var usedSlots: [Int] = []
        /// Per-event records of the whole group; `jobStart[j]` is job j's first.
        var stamps: [StampRecord] = []
        /// Each event of the group as decoded, read once (its strings are
        /// measured when the view is made), indexed like `stamps`.
        var views: [EventView] = []
        var jobStart: [Int] = []
        /// Where each job's suffixes end in the current stamp chunk.
        var stampEnds: [Int] = []
        /// The parts of each accepted event, for the log append.
        var parts: [(UnsafeRawBufferPointer, UnsafeRawBufferPointer)] = []
        var matches: [Match] = []
        var ids: EventIDGenerator
        /// The group's reject messages (`StampRecord.message` indexes them).
        var messages: [String] = []

        mutating func reject(_ record: inout StampRecord, _ code: RejectCode, _ message: String) {
            record.code = code
            record.message = Int32(messages.count)
            messages.append(message)
        }

        func message(of record: StampRecord) -> String { record.message(in: messages) }
    }

    /// Checks each event of `job` and appends the stamped suffix of each
    /// accepted one to `stampBuffer`; the suffix ranges it records are
    /// relative to where the job's suffixes start.
    private func stamp(_ job: PublishJob, snapshot: Router.Snapshot, now: Int64, scratch: inout Scratch,
                       into stampBuffer: inout ByteBuffer, accepted: inout Int) {
        let count = job.eventCount
        let base = stampBuffer.writerIndex
        let batchTooLarge = count > limits.maxBatchEvents
        let defaultBus = job.defaultBus.count > 0 ? job.defaultBus : defaultBusBytes.buffer
        for i in 0..<count {
            let event = job.event(i)
            scratch.views.append(event)
            var record = StampRecord(code: .accepted, suffix: 0..<0, generatedID: 0..<0)
            var stampedSchemaVersion: UInt32 = 0
            if batchTooLarge {
                scratch.reject(&record, .invalidEvent, "the batch holds \(count) events; the limit is \(limits.maxBatchEvents)")
            } else if let (code, message) = Self.check(event, size: job.ranges[i].count, limits: limits) {
                scratch.reject(&record, code, message)
            } else {
                let explicitBus = event.bus
                let busName = explicitBus.count > 0 ? explicitBus : defaultBus
                if let b = snapshot.busIndex(named: busName) {
                    switch schemas.check(event, bus: busName) {
                    case .reject(let code, let message):
                        scratch.reject(&record, code, message)
                    case .accept(let version):
                        if event.hasSchema && event.schemaVersion == 0 { stampedSchemaVersion = version }
                        record.bus = b
                    }
                } else {
                    scratch.reject(&record, .unknownBus, "bus \"\(busName.string)\" does not exist")
                }
            }
            if record.code == .accepted {
                assert(record.bus >= 0, "an accepted event has a bus")
                let bus = snapshot.buses[record.bus]
                accepted += 1
                let start = stampBuffer.writerIndex
                let needsID = event.id.count == 0
                let needsBus = event.bus.count == 0
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
                    if stampedSchemaVersion != 0 {
                        // SchemaRef{version}: protobuf merges it into the event's
                        // reference, so the subject stays and the version is set.
                        w.messageHeader(9, length: ProtoSize.uint64Field(2, UInt64(stampedSchemaVersion)))
                        w.uint64Field(2, UInt64(stampedSchemaVersion))
                    }
                    return w.written(since: raw.baseAddress!)
                }
                record.suffix = (start - base)..<(stampBuffer.writerIndex - base)
                if needsID { record.generatedID = (start - base + idOffset)..<(start - base + idOffset + EventIDGenerator.length) }
            }
            scratch.stamps.append(record)
        }
    }

    /// The most a shared stamp chunk is allocated with (NIO rounds a
    /// capacity up to a power of two, so this is one).
    static let stampChunkBytes = 16 << 10
    /// Room kept free in a chunk: `stamp` asks for room for the largest
    /// suffix before writing each one.
    static let stampSlack = 256

    /// Room for the stamped suffixes of `job`'s events: a generated id, the
    /// time, the account, a default bus name and a schema version take
    /// about 80 bytes besides the account name (a longer suffix, e.g. for a
    /// long bus name, grows the buffer). A batch over the limit stamps nothing.
    private func stampBytesEstimate(_ job: PublishJob) -> Int {
        job.eventCount > limits.maxBatchEvents ? 0 : job.eventCount * (80 + job.account.nameBytes.count)
    }

    /// The chunk that starts with `jobs.first`: the jobs whose estimates fit
    /// in `stampChunkBytes` (or that first job alone when it needs more),
    /// as its capacity and the index of the first job after it.
    private func stampChunk(_ jobs: ArraySlice<PublishJob>) -> (capacity: Int, end: Int) {
        var bytes = 0
        var end = jobs.startIndex
        while end < jobs.endIndex {
            let need = stampBytesEstimate(jobs[end])
            if bytes > 0, bytes + need > Self.stampChunkBytes - Self.stampSlack { break }
            bytes += need
            end += 1
        }
        return (bytes + Self.stampSlack, end)
    }

    /// Room for the PublishAck frames of the jobs at the start of `jobs`
    /// that share the first one's connection: an accepted event's result
    /// with a generated id takes about 50 bytes. A longer one (the
    /// producer's own id, a reject message) grows the buffer.
    private static func ackBytesEstimate(_ jobs: ArraySlice<PublishJob>) -> Int {
        guard let connection = jobs.first?.connectionID else { return 0 }
        var bytes = 0
        for job in jobs {
            guard job.connectionID == connection else { break }
            bytes += 24 + job.eventCount * 52
        }
        return bytes
    }

    /// Groups of at most this many bytes are written to an idle log by the
    /// worker itself (a `pwrite` of a few microseconds, never an fsync)
    /// instead of waking the log's writer thread, which then wakes an event
    /// loop: at low rates that hand-off is most of the gateway's CPU time.
    /// Groups at full speed are larger (~100 KB): the worker routes while the
    /// writer writes them, except while the writer is in the periodic fsync,
    /// when the worker writes them itself (EventLog.inlineLimitDuringSync).
    static let inlineWriteLimit = 16 << 10

    /// Appends every accepted event of the group (producer bytes + suffix)
    /// and returns the first position, or 0 when the log refused the append
    /// (the dispatch then answers with the failure).
    private func append(_ jobs: [PublishJob], stampBuffers: [ByteBuffer], accepted: Int, to log: EventLog,
                        scratch: inout Scratch, dispatch: GroupDispatch) -> UInt64 {
        scratch.parts.removeAll(keepingCapacity: true)
        scratch.parts.reserveCapacity(accepted)
        // The byte buffers are not mutated while the log copies from them,
        // and `jobs` / `stampBuffers` keep their storage alive.
        return withExtendedLifetime((jobs, stampBuffers)) { () -> UInt64 in
            for (j, job) in jobs.enumerated() {
                let body = job.body.withUnsafeReadableBytes { $0 }
                let stamps = stampBuffers[j].withUnsafeReadableBytes { $0 }
                let first = scratch.jobStart[j]
                for i in 0..<job.eventCount where scratch.stamps[first + i].code == .accepted {
                    scratch.parts.append((UnsafeRawBufferPointer(rebasing: body[job.ranges[i]]),
                                          UnsafeRawBufferPointer(rebasing: stamps[scratch.stamps[first + i].suffix])))
                }
            }
            let parts = scratch.parts
            let range = log.append(count: parts.count, inlineWriteLimit: Self.inlineWriteLimit,
                                   parts: { parts[$0] }, completion: { dispatch.stored($0) })
            return range?.lowerBound ?? 0
        }
    }

    /// Routes the accepted events of `job` (positions from `position` on) and appends its ack frame to `acks`.
    private func route(_ job: PublishJob, snapshot: Router.Snapshot, stamps stampBuffer: ByteBuffer, records first: Int,
                       position: inout UInt64, now: Int64, scratch: inout Scratch, acks: inout ByteBuffer) {
        let count = job.eventCount
        scratch.matches.removeAll(keepingCapacity: true)
        stampBuffer.withUnsafeReadableBytes { stampBytes in
            withUnsafeTemporaryAllocation(of: EventOutcome.self, capacity: max(count, 1)) { outcomes in
                for i in 0..<count {
                    let r = first + i
                    let event = scratch.views[r]
                    let code = scratch.stamps[r].code
                    let generatedID = scratch.stamps[r].generatedID
                    let id = generatedID.isEmpty ? event.id : UnsafeRawBufferPointer(rebasing: stampBytes[generatedID])
                    if code == .accepted {
                        scratch.stamps[r].position = position
                        position += 1
                    }
                    (outcomes.baseAddress! + i).initialize(to: EventOutcome(
                        id: id, position: scratch.stamps[r].position, code: code, message: scratch.message(of: scratch.stamps[r])))
                    guard code == .accepted else { continue }
                    let b = scratch.stamps[r].bus
                    let bus = snapshot.buses[b]
                    guard !bus.targets.isEmpty else { continue }
                    let time = event.timeUnixNanos != 0 ? event.timeUnixNanos : now
                    let routed = RoutedEvent(view: event, account: job.account.nameBytes.buffer, id: id, timeUnixNanos: time, schemas: schemas)
                    let firstSlot = snapshot.firstSlot[b]
                    bus.matcher.match(routed, context: matchContext) { index in
                        scratch.matches.append(Match(event: i, slot: firstSlot + index))
                    }
                }
                acks.writeFrame(PublishAckFrame(batchID: job.batchID,
                                                outcomes: UnsafeBufferPointer(start: outcomes.baseAddress, count: count)))
                outcomes.baseAddress!.deinitialize(count: count)
            }
        }
        guard !scratch.matches.isEmpty else { return }

        // Each delivery is the producer's bytes, the stamped suffix (both as
        // stored) and the position, which the item writes itself: nothing is
        // copied here.
        let source = DeliverySource(body: job.body, stamps: stampBuffer)
        for match in scratch.matches {
            let record = scratch.stamps[first + match.event]
            let item = DeliveryItem(
                source: source, eventOffset: UInt32(job.ranges[match.event].lowerBound), eventLength: UInt32(job.ranges[match.event].count),
                stampOffset: UInt32(record.suffix.lowerBound), stampLength: UInt32(record.suffix.count), attempt: 1,
                position: record.position)
            if scratch.slotItems[match.slot].isEmpty { scratch.usedSlots.append(match.slot) }
            scratch.slotItems[match.slot].append(item)
        }
    }

    /// What one event loop gets from a group: the deliveries of its streams
    /// and the jobs of its connections.
    private struct LoopAnswer {
        let loop: EventLoop
        var deliveries: [(target: SubscriptionTarget, items: [DeliveryItem])] = []
        var jobs: [PublishJob] = []
    }

    /// Hands each stream its deliveries and each job back to its connection:
    /// one task per event loop (a publisher and its subscribers often share
    /// one), deliveries first, then the acks in batch order.
    private static func answer(_ jobs: [PublishJob], deliveries: [(target: SubscriptionTarget, items: [DeliveryItem])] = []) {
        // A handful of loops: a linear search beats hashing.
        var answers: [LoopAnswer] = []
        func index(of loop: EventLoop) -> Int {
            if let i = answers.firstIndex(where: { $0.loop === loop }) { return i }
            answers.append(LoopAnswer(loop: loop))
            return answers.count - 1
        }
        for entry in deliveries { answers[index(of: entry.target.loop)].deliveries.append(entry) }
        for job in jobs { answers[index(of: job.connection.eventLoop)].jobs.append(job) }
        for answer in answers {
            let deliveries = answer.deliveries
            let jobs = answer.jobs
            answer.loop.execute {
                for entry in deliveries { entry.target.stream.value.enqueue(entry.items) }
                for job in jobs { job.connection.value.publishCompleted(job) }
            }
        }
    }

    /// The log failed to store the group: every event that passed the checks
    /// is answered REJECT_UNAVAILABLE with the log's reason (nothing was
    /// delivered); the others keep their own verdict.
    private static func answerFailed(_ jobs: [PublishJob], records: [StampRecord], starts: [Int], messages: [String],
                                     failure: StoreError) {
        for (j, job) in jobs.enumerated() {
            let count = job.eventCount
            withUnsafeTemporaryAllocation(of: EventOutcome.self, capacity: max(count, 1)) { outcomes in
                for i in 0..<count {
                    let event = job.event(i)
                    let record = records[starts[j] + i]
                    let outcome = record.code == .accepted
                        ? EventOutcome(id: event.id, position: 0, code: .unavailable,
                                       message: "the event log could not store the event (\(failure.message)); retry later")
                        : EventOutcome(id: event.id, position: 0, code: record.code,
                                       message: record.message(in: messages))
                    (outcomes.baseAddress! + i).initialize(to: outcome)
                }
                job.ack = job.allocator.frame(PublishAckFrame(batchID: job.batchID,
                                                              outcomes: UnsafeBufferPointer(start: outcomes.baseAddress, count: count)))
                outcomes.baseAddress!.deinitialize(count: count)
            }
        }
        answer(jobs)
    }

    /// The first problem with an event's envelope, or nil.
    static func check(_ e: EventView, size: Int, limits: GatewayConfiguration.Limits) -> (RejectCode, String)? {
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
        let contentType = e.raw.pointee.content_type.rawValue
        if ContentType(rawValue: Int32(contentType)) == nil {
            return (.invalidEvent, "content_type: unknown value \(contentType) (UNSPECIFIED, JSON, PROTOBUF or BINARY)")
        }
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

/// Joins what a group's answer waits for: the log's append completion (on
/// the log's writer thread), the end of routing (on the worker), and the
/// previous group's answer. Whichever comes last sends the acks and
/// deliveries, so they leave only after the group is stored, and groups of
/// one worker are answered in order even when a group has nothing to store
/// (all its events rejected) while the one before it is still being written.
final class GroupDispatch: Sendable {
    private struct State {
        var remaining = 3
        var failure: StoreError?
        var work: (@Sendable (StoreError?) -> Void)?
        var done = false
        var next: GroupDispatch?
    }
    private let state = NIOLockedValueBox(State())

    init(after previous: GroupDispatch?) {
        if !(previous?.chain(self) ?? false) { arrive { _ in } }
    }

    /// The log's completion.
    func stored(_ result: Result<ClosedRange<UInt64>, StoreError>) {
        arrive { state in
            if case .failure(let error) = result { state.failure = error }
        }
    }

    /// Routing is done; `work` sends what the group produced.
    func ready(_ work: @escaping @Sendable (StoreError?) -> Void) {
        arrive { state in state.work = work }
    }

    /// Runs `next` after this group's answer (now, if it already ran: false).
    private func chain(_ next: GroupDispatch) -> Bool {
        state.withLockedValue { state in
            if state.done { return false }
            state.next = next
            return true
        }
    }

    private func arrive(_ change: (inout State) -> Void) {
        let run = state.withLockedValue { state -> (@Sendable (StoreError?) -> Void, StoreError?)? in
            change(&state)
            state.remaining -= 1
            return state.remaining == 0 ? (state.work!, state.failure) : nil
        }
        guard let (work, failure) = run else { return }
        work(failure)
        let next = state.withLockedValue { state -> GroupDispatch? in
            state.done = true
            state.work = nil
            defer { state.next = nil }
            return state.next
        }
        next?.arrive { _ in }
    }
}
