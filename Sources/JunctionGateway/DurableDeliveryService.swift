import CJunctionWire
import Foundation
import JunctionAdmin
import JunctionPatterns
import JunctionStore
import JunctionWire
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Runs every durable subscription of the gateway on one thread.
///
/// A durable subscription reads the event log from its cursor, matches each
/// record against its pattern and hands matching events to its consumers as
/// ``SubscriptionDeliveryState`` decides (credits, max in flight, ack
/// timeouts, retries with backoff, dead letters, ordering groups). Its
/// backlog stays in the log: only the events it holds in flight (at most
/// `maxBuffered`, and at most 64 MiB of them) are in memory. Cursors and
/// in-flight attempts are checkpointed to the state database every 100 ms
/// and at shutdown; after a crash, delivery resumes from the last
/// checkpoint (events after it are delivered again: at least once).
///
/// Event loops and the pipeline talk to it through an inbox (`post`); it
/// answers consumers on their event loops.
final class DurableDeliveryService: @unchecked Sendable { // `inbox`, `logLast`, `hasSubscriptions`, `stopping` under `condition`; everything else is confined to the service thread
    private let log: EventLog
    private let state: StateStore
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    private let condition = NSCondition()
    private var inbox: [@Sendable (DurableDeliveryService) -> Void] = []
    private var logLast: UInt64
    /// Whether any durable subscription or rule exists (set by the service thread
    /// before it waits). Without one, log growth does not wake the thread:
    /// at low rates that wake-up per publish group was pure overhead.
    private var hasSubscriptions = true
    private var stopping = false
    private var stopped = false
    private var thread: Thread?
    private let lastConsumerID = NIOLockedValueBox<UInt64>(0)

    // Service thread only.
    private var runtimes: [String: DurableSubscriptionRuntime] = [:]
    private var rules: [String: ForwardRuleRuntime] = [:]
    /// Live streams of the buses that rules forward to.
    private let router: Router
    private var consumerSubscription: [ConsumerID: String] = [:]
    private var seenLast: UInt64
    private var lastCheckpoint: Int64 = 0
    private let arena = ProtobufArena(capacity: 64 << 10)
    private let matchContext = PatternMatchContext()
    private var readBatch = LogReadBatch()
    private var ids = EventIDGenerator()
    /// The service thread's schema cache: protobuf details are matched by field.
    private let schemas: EventValidator
    private let schemaService: SchemaRegistryService
    /// Most bytes of events one subscription holds in memory.
    static let maxCachedBytes = 64 << 20
    /// Records one read step scans at most (keeps the thread responsive).
    static let scanStep = 4096

    init(log: EventLog, state: StateStore, schemas: SchemaRegistryService, router: Router, logger: Logger,
         clock: @escaping @Sendable () -> Int64 = { PublishProcessor.wallClockNanos() }) throws {
        self.log = log
        self.router = router
        self.schemas = EventValidator(service: schemas, modes: [:])
        self.schemaService = schemas
        self.state = state
        self.logger = logger
        self.clock = clock
        self.logLast = log.lastPosition
        self.seenLast = logLast
        for definition in try state.subscriptions() {
            let runtime = try DurableSubscriptionRuntime(definition: definition, state: state, log: log)
            runtimes[definition.name] = runtime
        }
        for document in try state.documents(kind: ForwardRuleRuntime.documentKind) {
            let stored = try AdminDocument.decode(ForwardRuleRuntime.Stored.self, from: document.value)
            rules[stored.name] = try ForwardRuleRuntime(stored)
        }
    }

    func start() {
        let thread = Thread { [self] in
            Thread.current.name = "junction-durable"
            run()
        }
        self.thread = thread
        thread.start()
    }

    /// Checkpoints every subscription and stops the thread (waits for it).
    func stop() {
        condition.lock()
        if stopping {
            condition.unlock()
            return
        }
        stopping = true
        condition.broadcast()
        while !stopped && thread != nil { condition.wait() }
        condition.unlock()
    }

    // MARK: inbox (any thread)

    private func post(_ work: @escaping @Sendable (DurableDeliveryService) -> Void) {
        condition.lock()
        inbox.append(work)
        condition.signal()
        condition.unlock()
    }

    /// Runs `work` on the service thread and waits for its result (admin
    /// requests, from the admin pool).
    func perform<T: Sendable>(_ work: @escaping @Sendable (DurableDeliveryService) -> Result<T, AdminFailure>) throws(AdminFailure) -> T {
        let box = ResultBox<T>()
        post { service in box.set(work(service)) }
        return try box.wait().get()
    }

    /// The log grew to `position` (called after each completed append).
    func logAdvanced(to position: UInt64) {
        condition.lock()
        if position > logLast {
            logLast = position
            if hasSubscriptions { condition.signal() }
        }
        condition.unlock()
    }

    func newConsumerID() -> ConsumerID { ConsumerID(lastConsumerID.withLockedValue { $0 += 1; return $0 }) }

    /// Attaches a consumer stream to subscription `name` for `account`;
    /// `reply` runs on the service thread with nil or the reason it failed.
    func attach(_ handle: DurableConsumerHandle, name: String, account: String, credits: Int,
                reply: @escaping @Sendable (WireError?) -> Void) {
        post { service in service.attachNow(handle, name: name, account: account, credits: credits, reply: reply) }
    }

    func credit(_ consumer: ConsumerID, amount: Int) {
        post { service in service.withRuntime(of: consumer) { $0.creditGranted(consumer, amount: amount, now: $1) } }
    }

    func ack(_ consumer: ConsumerID, positions: [UInt64]) {
        post { service in
            guard let name = service.consumerSubscription[consumer], let runtime = service.runtimes[name] else { return }
            let now = service.clock()
            for position in positions {
                // Finished: its bytes are no longer needed. (An ignored ack
                // leaves the event pending, and its bytes cached.) Each ack's
                // actions are performed before the next ack can finish an
                // event they deliver.
                let outcome = runtime.machine.ack(position: position, now: now)
                if case .perform = outcome {
                    runtime.forget(position)
                    service.apply(runtime, outcome)
                }
            }
        }
    }

    func nack(_ consumer: ConsumerID, entries: [(position: UInt64, attempt: Int)], delayNanos: Int64?) {
        post { service in
            service.withRuntime(of: consumer) { machine, now in
                var actions: [DeliveryAction] = []
                for entry in entries {
                    actions += machine.nack(position: entry.position, attempt: entry.attempt, delayNanos: delayNanos, now: now).actions
                }
                return .perform(actions)
            }
        }
    }

    func detach(_ consumer: ConsumerID) {
        post { service in
            service.withRuntime(of: consumer) { $0.consumerDetached(consumer, now: $1) }
            if let name = service.consumerSubscription.removeValue(forKey: consumer) {
                service.runtimes[name]?.consumers[consumer] = nil
            }
        }
    }

    // MARK: the service thread

    private func run() {
        while true {
            condition.lock()
            hasSubscriptions = !runtimes.isEmpty || !rules.isEmpty
            while inbox.isEmpty && !stopping && logLast == seenLast && !hasReadWork {
                let wake = nextWake
                if let wake {
                    let now = clock()
                    if wake <= now { break }
                    let seconds = min(Double(wake - now) / 1e9, 0.1)
                    _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
                } else {
                    _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
                }
                if lastCheckpoint + 100_000_000 <= clock() && runtimes.values.contains(where: \.dirty) { break }
            }
            let work = inbox
            inbox.removeAll()
            let last = logLast
            let stop = stopping
            condition.unlock()

            // The thread's schema cache follows new registrations (version 0
            // = latest) from one turn to the next.
            schemas.beginGroup()
            for item in work { item(self) }
            let now = clock()
            if last > seenLast {
                seenLast = last
                for runtime in runtimes.values {
                    if let parked = runtime.parkedRead {
                        runtime.parkedRead = nil
                        runtime.pendingRead = parked
                    }
                    apply(runtime, runtime.machine.logAdvanced(to: last, now: now))
                }
            }
            for runtime in runtimes.values where !runtime.deadLetterRetries.isEmpty {
                let due = runtime.deadLetterRetries.filter { $0.notBefore <= now }
                runtime.deadLetterRetries.removeAll { $0.notBefore <= now }
                for retry in due { deadLetter(runtime, position: retry.position, reason: retry.reason, attempts: retry.attempts) }
            }
            for runtime in runtimes.values where (runtime.wakeAt ?? .max) <= now {
                runtime.wakeAt = nil
                apply(runtime, runtime.machine.tick(now: now))
            }
            for runtime in runtimes.values where runtime.pendingRead != nil && runtime.cachedBytes < Self.maxCachedBytes {
                readStep(runtime)
            }
            for rule in rules.values where rule.hasWork(upTo: seenLast, now: now) { forwardStep(rule) }
            if stop {
                // A clean stop: make the log durable first, so that the final
                // checkpoint can record every cursor where it really is.
                do { try log.sync() } catch { logger.error("cannot sync the event log at shutdown", metadata: ["error": "\(error)"]) }
            }
            if stop || lastCheckpoint + 100_000_000 <= now {
                checkpoint(now: now)
            }
            if stop {
                condition.lock()
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    /// A read can run now: requested, and the subscription has room for more event bytes.
    private var hasReadWork: Bool {
        runtimes.values.contains { $0.pendingRead != nil && $0.cachedBytes < Self.maxCachedBytes }
            || rules.values.contains { $0.hasWork(upTo: seenLast, now: clock()) }
    }
    private var nextWake: Int64? {
        (runtimes.values.flatMap { [$0.wakeAt].compactMap { $0 } + $0.deadLetterRetries.map(\.notBefore) }
            + rules.values.compactMap(\.retryAt)).min()
    }

    private func withRuntime(of consumer: ConsumerID,
                             _ body: (inout SubscriptionDeliveryState, Int64) -> SubscriptionDeliveryState.Outcome) {
        guard let name = consumerSubscription[consumer], let runtime = runtimes[name] else { return }
        let outcome = body(&runtime.machine, clock())
        apply(runtime, outcome)
    }

    private func attachNow(_ handle: DurableConsumerHandle, name: String, account: String, credits: Int,
                           reply: @Sendable (WireError?) -> Void) {
        guard let runtime = runtimes[name], runtime.definition.ownerAccount == account else {
            return reply(WireError(.notFound, "Subscribe: no durable subscription \"\(name)\" for account \"\(account)\" (create it with subscription.create or the configuration file)"))
        }
        runtime.consumers[handle.id] = handle
        consumerSubscription[handle.id] = name
        reply(nil)
        apply(runtime, runtime.machine.consumerAttached(handle.id, credit: credits, now: clock()))
    }

    /// Performs the actions of one outcome (reads are queued as read steps).
    private func apply(_ runtime: DurableSubscriptionRuntime, _ outcome: SubscriptionDeliveryState.Outcome) {
        guard case .perform(let actions) = outcome, !actions.isEmpty else { return }
        var batches: [ConsumerID: [DurableDelivery]] = [:]
        for action in actions {
            switch action {
            case .deliver(let position, let consumer, let attempt, _):
                runtime.dirty = true  // attempt counts are checkpointed too
                guard let event = runtime.cache[position] else {
                    logger.error("durable delivery lost its event bytes", metadata: ["subscription": "\(runtime.definition.name)", "position": "\(position)"])
                    continue
                }
                batches[consumer, default: []].append(DurableDelivery(position: position, attempt: UInt32(attempt), event: event))
            case .deadLetter(let position, let reason, let attempts):
                deadLetter(runtime, position: position, reason: reason, attempts: attempts)
            case .read(let from, let maxRecords):
                runtime.pendingRead = (from, maxRecords)
            case .commit:
                runtime.dirty = true
            case .wake(let at):
                runtime.wakeAt = at
            }
        }
        for (consumer, deliveries) in batches {
            runtime.consumers[consumer]?.deliver(deliveries)
        }
    }

    /// Reads and matches one step of the log for `runtime`'s pending read.
    private func readStep(_ runtime: DurableSubscriptionRuntime) {
        guard let (from, maxRecords) = runtime.pendingRead else { return }
        runtime.pendingRead = nil
        var candidates: [DeliveryCandidate] = []
        let (lastScanned, failure) = log.scan(from: from, maxRecords: Self.scanStep, batch: &readBatch) { record, payload in
            if let (group, event) = runtime.filter.accepts(payload, flags: record.flags, arena: arena, context: matchContext, schemas: schemas) {
                candidates.append(DeliveryCandidate(position: record.position, group: group))
                runtime.cache[record.position] = event
                runtime.cachedBytes += event.count
            }
            return candidates.count < maxRecords && runtime.cachedBytes < Self.maxCachedBytes
        }
        if let failure {
            logger.error("durable subscription cannot read the event log", metadata: ["subscription": "\(runtime.definition.name)", "error": "\(failure)"])
        }
        if lastScanned < from {
            let first = log.firstPosition
            if from < first {
                // Retention removed the start of the range: go on from what is there.
                apply(runtime, runtime.machine.eventsRead([], through: first - 1, now: clock()))
            } else {
                // Nothing readable yet: the read waits for the log to grow
                // (answering it empty would make the machine ask again at once).
                runtime.parkedRead = (from, maxRecords)
            }
            return
        }
        apply(runtime, runtime.machine.eventsRead(candidates, through: lastScanned, now: clock()))
    }

    /// Moves an event to the subscription's dead-letter subscription (or
    /// drops it, logged, when it has none). The event is finished only once
    /// the dead letter is stored; a failed append is retried every second.
    private func deadLetter(_ runtime: DurableSubscriptionRuntime, position: UInt64, reason: DeadLetterReason, attempts: Int) {
        let definition = runtime.definition
        runtime.dirty = true
        let name = definition.name
        guard let original = runtime.cache[position] else {
            logger.error("dead letter lost its event bytes", metadata: ["subscription": "\(name)", "position": "\(position)"])
            post { service in service.finishDeadLetter(name, position: position) }
            return
        }
        guard let target = definition.deadLetterTarget, runtimes[target]?.definition.ownerAccount == definition.ownerAccount else {
            logger.warning("dead letter dropped (the subscription has no dead-letter subscription, or it was deleted)", metadata: [
                "subscription": "\(name)", "position": "\(position)", "reason": "\(reason)", "attempts": "\(attempts)",
            ])
            // After the actions being performed (finishing may deliver more).
            post { service in service.finishDeadLetter(name, position: position) }
            return
        }
        let event = deadLetterEvent(original: original, position: position, subscription: definition, reason: reason, attempts: attempts)
        let payload = event.withUnsafeBytes { TargetedRecord.encode(subscription: target, event: $0) }
        log.append([payload], flags: TargetedRecord.flag) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let range):
                self.logAdvanced(to: range.upperBound)
                self.post { service in service.finishDeadLetter(name, position: position) }
            case .failure(let error):
                self.logger.error("cannot store a dead letter; retrying in 1 s", metadata: ["subscription": "\(name)", "position": "\(position)", "error": "\(error)"])
                self.post { service in
                    guard let runtime = service.runtimes[name] else { return }
                    runtime.deadLetterRetries.append((position, reason, attempts, service.clock() + 1_000_000_000))
                }
            }
        }
    }

    private func finishDeadLetter(_ name: String, position: UInt64) {
        guard let runtime = runtimes[name] else { return }
        let outcome = runtime.machine.deadLetterCompleted(position: position, now: clock())
        if case .perform = outcome {
            runtime.deadLettered += 1
            runtime.forget(position)
        }
        apply(runtime, outcome)
    }

    /// The event stored for a dead letter: source "junction.dead-letter",
    /// detail type "DeadLetter", the original event (with its position) as
    /// the detail, and why in its attributes.
    private func deadLetterEvent(original: [UInt8], position: UInt64, subscription: SubscriptionDefinition,
                                 reason: DeadLetterReason, attempts: Int) -> [UInt8] {
        var detail = original
        detail.appendUInt64Field(13, position)
        var idWriter = [UInt8](repeating: 0, count: EventIDGenerator.length + 4)
        let now = clock()
        let idLength = idWriter.withUnsafeMutableBytes { raw in
            var w = ProtoWriter(raw)
            ids.write(into: &w, nowNanos: now)
            return w.written(since: raw.baseAddress!)
        }
        let id = String(decoding: idWriter[..<idLength], as: UTF8.self)
        let event = OutgoingEvent(
            id: id, source: "junction.dead-letter", detailType: "DeadLetter", timeUnixNanos: now,
            subject: subscription.name, bus: subscription.bus,
            contentType: .protobuf, detail: detail,
            attributes: [
                (key: "junction.dead-letter.subscription", value: subscription.name),
                (key: "junction.dead-letter.reason", value: "\(reason)"),
                (key: "junction.dead-letter.attempts", value: "\(attempts)"),
                (key: "junction.dead-letter.position", value: "\(position)"),
            ])
        var bytes = event.encoded()
        bytes.appendStringField(7, subscription.ownerAccount)
        return bytes
    }

    /// Persists cursors and in-flight attempts of subscriptions that changed.
    private func checkpoint(now: Int64) {
        lastCheckpoint = now
        // A cursor never gets ahead of what is on stable storage: after a
        // machine crash the log may lose its unsynced tail (fsync interval or
        // never), and those positions are then handed out again.
        let durable = log.durablePosition
        for rule in rules.values where rule.dirty {
            var stored = rule.stored
            stored.nextPosition = min(stored.nextPosition, durable + 1)
            do {
                _ = try state.putDocument(kind: ForwardRuleRuntime.documentKind, key: stored.name, value: AdminDocument.encode(stored), now: now)
                rule.dirty = stored.nextPosition < rule.stored.nextPosition
            } catch {
                logger.error("cannot checkpoint a forwarding rule", metadata: ["rule": "\(stored.name)", "error": "\(error)"])
            }
        }
        for runtime in runtimes.values where runtime.dirty {
            let (committed, inFlight) = runtime.machine.persistedState()
            do {
                try state.checkpoint(subscription: runtime.definition.name, committedPosition: min(committed, durable),
                                     inFlight: inFlight, now: now)
                // Held back by the fsynced position: write it again later.
                runtime.dirty = committed > durable
            } catch {
                logger.error("cannot checkpoint a durable subscription", metadata: ["subscription": "\(runtime.definition.name)", "error": "\(error)"])
            }
        }
    }

    // MARK: forwarding rules (service thread)

    /// Reads one step of the log for `rule` and appends the copies of the
    /// matching events for its target bus.
    private func forwardStep(_ rule: ForwardRuleRuntime) {
        let from = rule.stored.nextPosition
        var copies: [[UInt8]] = []
        let (lastScanned, failure) = log.scan(from: from, maxRecords: Self.scanStep, batch: &readBatch) { record, payload in
            if let (view, event) = rule.filter.matching(payload, flags: record.flags, arena: arena, context: matchContext, schemas: schemas),
               let copy = rule.copy(of: Array(event), view: view, position: record.position) {
                copies.append(copy)
            }
            return true
        }
        if let failure {
            logger.error("forwarding rule cannot read the event log", metadata: ["rule": "\(rule.stored.name)", "error": "\(failure)"])
            rule.retryAt = clock() + 1_000_000_000
            return
        }
        if lastScanned < from {
            // Retention removed the start: go on from what is there.
            if from < log.firstPosition {
                rule.stored.nextPosition = log.firstPosition
                rule.dirty = true
            }
            return
        }
        guard !copies.isEmpty else {
            rule.stored.nextPosition = lastScanned + 1
            rule.dirty = true
            return
        }
        rule.appending = true
        let name = rule.stored.name
        let stored = copies
        let through = lastScanned
        log.append(stored) { [weak self] result in
            guard let self else { return }
            if case .success(let range) = result { self.logAdvanced(to: range.upperBound) }
            self.post { service in service.forwarded(name, copies: stored, through: through, result: result) }
        }
    }

    private func forwarded(_ name: String, copies: [[UInt8]], through lastScanned: UInt64,
                           result: Result<ClosedRange<UInt64>, StoreError>) {
        guard let rule = rules[name] else { return }
        rule.appending = false
        switch result {
        case .success(let range):
            rule.stored.nextPosition = lastScanned + 1
            rule.forwarded += UInt64(copies.count)
            rule.dirty = true
            deliverLive(copies, first: range.lowerBound, bus: rule.targetBusBytes)
        case .failure(let error):
            logger.error("forwarding rule cannot append; retrying in 1 s", metadata: ["rule": "\(name)", "error": "\(error)"])
            rule.retryAt = clock() + 1_000_000_000
        }
    }

    /// Hands stored copies to the live streams of their bus whose patterns match.
    private func deliverLive(_ copies: [[UInt8]], first: UInt64, bus name: [UInt8]) {
        let snapshot = router.snapshot()
        guard let index = name.withUnsafeBytes({ snapshot.busIndex(named: $0) }), !snapshot.buses[index].targets.isEmpty else { return }
        let bus = snapshot.buses[index]
        var body = ByteBufferAllocator().buffer(capacity: copies.reduce(0) { $0 + $1.count })
        var layout: [(event: Range<Int>, targets: [Int])] = []
        for copy in copies {
            let eventStart = body.writerIndex
            body.writeBytes(copy)
            var matched: [Int] = []
            copy.withUnsafeBytes { bytes in
                arena.reset()
                guard let raw = FrameDecoder.decodeStoredEvent(bytes, arena: arena) else { return }
                let view = EventView(raw: raw)
                let routed = RoutedEvent(view: view, account: EventView.bytes(raw.pointee.account), id: view.id,
                                         timeUnixNanos: view.timeUnixNanos, schemas: schemas)
                bus.matcher.match(routed, context: matchContext) { matched.append($0) }
            }
            layout.append((eventStart..<body.writerIndex, matched))
        }
        // The stored copy already holds every stamped field: no suffix, only
        // the position, which each item writes.
        let source = DeliverySource(body: body, stamps: body)
        var byTarget: [[DeliveryItem]] = Array(repeating: [], count: bus.targets.count)
        for (k, entry) in layout.enumerated() {
            for index in entry.targets {
                byTarget[index].append(DeliveryItem(
                    source: source, eventOffset: UInt32(entry.event.lowerBound), eventLength: UInt32(entry.event.count),
                    stampOffset: 0, stampLength: 0, attempt: 1, position: first + UInt64(k)))
            }
        }
        for (index, items) in byTarget.enumerated() where !items.isEmpty {
            let stream = bus.targets[index].stream
            stream.eventLoop.execute { stream.value.enqueue(items) }
        }
    }

    func createRule(_ spec: RuleSpec, owner: String, buses: Set<String>) throws(AdminFailure) -> RuleInfo {
        func invalid(_ message: String) -> AdminFailure { AdminFailure(.invalidRequest, "rule \"\(spec.name)\": \(message)") }
        try DurableAdmin.checkName(spec.name)
        guard buses.contains(spec.bus) else { throw invalid("bus: \"\(spec.bus)\" does not exist") }
        guard buses.contains(spec.targetBus) else { throw invalid("target_bus: \"\(spec.targetBus)\" does not exist") }
        guard spec.targetBus != spec.bus else { throw invalid("target_bus: must differ from bus") }
        let start = try DurableAdmin.position(spec.start ?? "latest", field: "start", allowNamed: true)
        var stored = ForwardRuleRuntime.Stored(name: spec.name, owner: owner, bus: spec.bus, pattern: spec.pattern ?? "",
                                               targetBus: spec.targetBus, nextPosition: 0)
        if let existing = rules[spec.name] {
            var same = existing.stored
            same.nextPosition = 0
            guard same == stored else { throw AdminFailure(.alreadyExists, "rule \"\(spec.name)\" exists with another definition; delete it first") }
            return existing.info
        }
        do {
            stored.nextPosition = try resolve(start)
            let runtime = try ForwardRuleRuntime(stored)
            _ = try state.putDocument(kind: ForwardRuleRuntime.documentKind, key: stored.name, value: AdminDocument.encode(stored))
            rules[stored.name] = runtime
            return runtime.info
        } catch let error as WireError {
            throw invalid("pattern: \(error.message)")
        } catch let error as StoreError {
            throw AdminFailure(.internal, "rule \"\(spec.name)\": \(error.message)")
        } catch {
            throw AdminFailure(.internal, "rule \"\(spec.name)\": \(error)")
        }
    }

    func listRules() -> [RuleInfo] { rules.values.map(\.info).sorted { $0.name < $1.name } }

    func deleteRule(_ name: String) throws(AdminFailure) -> Bool {
        guard rules.removeValue(forKey: name) != nil else { throw AdminFailure(.notFound, "no rule \"\(name)\"") }
        do {
            return try state.deleteDocument(kind: ForwardRuleRuntime.documentKind, key: name)
        } catch {
            throw AdminFailure(.internal, "rule \"\(name)\": \(error.message)")
        }
    }

    // MARK: administration (service thread, through `perform`)

    /// The dead-letter subscription must exist and belong to the same account.
    private func checkDeadLetterTarget(_ definition: SubscriptionDefinition) throws(AdminFailure) {
        guard let target = definition.deadLetterTarget else { return }
        guard let runtime = runtimes[target], runtime.definition.ownerAccount == definition.ownerAccount else {
            throw AdminFailure(.invalidRequest, "subscription \"\(definition.name)\": dead_letter: no subscription \"\(target)\" of account \"\(definition.ownerAccount)\" (create the dead-letter subscription first)")
        }
    }

    func create(_ definition: SubscriptionDefinition) throws(AdminFailure) -> SubscriptionInfo {
        if let existing = runtimes[definition.name] {
            var same = existing.definition
            same.startPosition = definition.startPosition
            guard same == definition else {
                throw AdminFailure(.alreadyExists, "subscription \"\(definition.name)\" exists with another definition; delete it first or pick another name")
            }
            return info(existing)
        }
        try checkDeadLetterTarget(definition)
        let start: UInt64
        do throws(StoreError) {
            start = try resolve(definition.startPosition)
            try state.createSubscription(definition)
            try state.setCommittedPosition(start - 1, subscription: definition.name)
        } catch {
            throw AdminFailure(.invalidRequest, "subscription \"\(definition.name)\": \(error.message)")
        }
        do {
            let runtime = try DurableSubscriptionRuntime(definition: definition, state: state, log: log)
            runtimes[definition.name] = runtime
            apply(runtime, runtime.machine.logAdvanced(to: seenLast, now: clock()))
            return info(runtime)
        } catch {
            throw AdminFailure(.internal, "subscription \"\(definition.name)\": \(error)")
        }
    }

    /// Replaces the definition of a declared subscription, keeping its cursor.
    func update(_ definition: SubscriptionDefinition) throws(AdminFailure) {
        guard let existing = runtimes[definition.name] else { return }
        var same = existing.definition
        same.startPosition = definition.startPosition
        if same == definition { return }
        try checkDeadLetterTarget(definition)
        do {
            try state.putSubscription(definition)
            let (committed, inFlight) = existing.machine.persistedState()
            try state.checkpoint(subscription: definition.name, committedPosition: committed, inFlight: inFlight, now: clock())
            let runtime = try DurableSubscriptionRuntime(definition: definition, state: state, log: log)
            for (id, handle) in existing.consumers { handle.end(reason: "subscription \(definition.name) was redefined; subscribe again"); consumerSubscription[id] = nil }
            runtimes[definition.name] = runtime
            apply(runtime, runtime.machine.logAdvanced(to: seenLast, now: clock()))
        } catch {
            throw AdminFailure(.internal, "subscription \"\(definition.name)\": \(error)")
        }
    }

    func info(name: String, account: String) throws(AdminFailure) -> SubscriptionInfo {
        try info(owned(name, by: account))
    }

    func list(account: String) -> [SubscriptionInfo] {
        runtimes.values.filter { $0.definition.ownerAccount == account }.sorted { $0.definition.name < $1.definition.name }.map(info)
    }

    func delete(name: String, account: String) throws(AdminFailure) -> Bool {
        let runtime = try owned(name, by: account)
        for (id, handle) in runtime.consumers {
            handle.end(reason: "subscription \(name) was deleted")
            consumerSubscription[id] = nil
        }
        runtimes[name] = nil
        do {
            return try state.deleteSubscription(named: name)
        } catch {
            throw AdminFailure(.internal, "subscription \"\(name)\": \(error)")
        }
    }

    /// Appends the subscription's matching events of `from...to` again,
    /// addressed to it alone (other subscriptions do not see them). Runs on
    /// the calling (admin) thread: only looking the subscription up happens
    /// on the service thread, so deliveries go on during a long replay.
    func replay(name: String, account: String, from: StartPosition, to: StartPosition?) throws(AdminFailure) -> ReplayResult {
        let filter = try perform { service in
            Result { () throws(AdminFailure) in try service.owned(name, by: account).filter }
        }
        let first: UInt64
        let last: UInt64
        do throws(StoreError) {
            first = max(try resolve(from), log.firstPosition)
            var end = log.lastPosition
            if let to { end = min(try resolveEnd(to), end) }
            last = end
        } catch {
            throw AdminFailure(.invalidRequest, "replay: \(error.message)")
        }
        guard first <= last else { return ReplayResult(replayed: 0, fromPosition: first, toPosition: last) }
        var replayed = 0
        var payloads: [[UInt8]] = []
        let arena = ProtobufArena(capacity: 64 << 10)
        let context = PatternMatchContext()
        let schemas = EventValidator(service: schemaService, modes: [:])
        schemas.beginGroup()
        var batch = LogReadBatch()
        var appendFailure: AdminFailure?
        let (_, failure) = log.scan(from: first, through: last, batch: &batch) { record, payload in
            if let (_, event) = filter.accepts(payload, flags: record.flags, arena: arena, context: context, schemas: schemas) {
                var copy = event
                copy.appendMapEntry(12, key: "junction.replayed-from", value: "\(record.position)")
                payloads.append(copy.withUnsafeBytes { TargetedRecord.encode(subscription: name, event: $0) })
            }
            guard payloads.count >= 1024 else { return true }
            do throws(AdminFailure) {
                try appendReplay(payloads)
            } catch {
                appendFailure = error
                return false
            }
            replayed += payloads.count
            payloads.removeAll(keepingCapacity: true)
            return true
        }
        if let appendFailure { throw appendFailure }
        if let failure { throw AdminFailure(.internal, "replay: reading the log: \(failure.message)") }
        if !payloads.isEmpty {
            replayed += payloads.count
            try appendReplay(payloads)
        }
        return ReplayResult(replayed: replayed, fromPosition: first, toPosition: last)
    }

    private func appendReplay(_ payloads: [[UInt8]]) throws(AdminFailure) {
        do {
            let range = try log.append(payloads, flags: TargetedRecord.flag)
            logAdvanced(to: range.upperBound)
        } catch {
            throw AdminFailure(.internal, "replay: appending to the log: \(error.message)")
        }
    }

    private func owned(_ name: String, by account: String) throws(AdminFailure) -> DurableSubscriptionRuntime {
        guard let runtime = runtimes[name], runtime.definition.ownerAccount == account else {
            throw AdminFailure(.notFound, "no durable subscription \"\(name)\" for account \"\(account)\"")
        }
        return runtime
    }

    /// The first position a start position designates.
    private func resolve(_ start: StartPosition) throws(StoreError) -> UInt64 {
        switch start {
        case .earliest: return log.firstPosition
        case .latest: return log.lastPosition + 1
        case .time(let nanos): return try log.position(atOrAfter: nanos)
        case .position(let p): return max(p, 1)
        }
    }

    /// The last position an end position designates (inclusive).
    private func resolveEnd(_ end: StartPosition) throws(StoreError) -> UInt64 {
        switch end {
        case .earliest: return log.firstPosition
        case .latest: return log.lastPosition
        case .time(let nanos): return try log.position(atOrAfter: nanos &+ 1) &- 1
        case .position(let p): return p
        }
    }

    private func info(_ runtime: DurableSubscriptionRuntime) -> SubscriptionInfo {
        let d = runtime.definition
        return SubscriptionInfo(
            name: d.name, owner: d.ownerAccount, bus: d.bus, pattern: d.pattern,
            maxAttempts: d.retryPolicy.maxAttempts, maxEventAgeMs: (d.retryPolicy.maxEventAgeNanos ?? 0) / 1_000_000,
            initialBackoffMs: d.retryPolicy.initialBackoffNanos / 1_000_000, maxBackoffMs: d.retryPolicy.maxBackoffNanos / 1_000_000,
            deadLetter: d.deadLetterTarget, ackTimeoutMs: d.ackTimeoutNanos / 1_000_000, maxInFlight: d.maxInFlight,
            orderingKey: d.orderingKey, committedPosition: runtime.machine.committedPosition, lastPosition: seenLast,
            outstanding: runtime.machine.outstandingCount, consumers: runtime.consumers.count, deadLettered: runtime.deadLettered)
    }
}
