import JunctionPatterns
import JunctionStore
import JunctionWire

/// Which log records belong to one durable subscription: records of its bus
/// that match its pattern, and records addressed to it (dead letters,
/// replays). Immutable: the service thread and replays (on the admin thread)
/// use their own copies.
struct DurableFilter: Sendable {
    let matcher: BusMatcher
    let nameBytes: [UInt8]
    let busBytes: [UInt8]
    let orderingKey: [UInt8]?

    init(_ definition: SubscriptionDefinition) throws(WireError) {
        self.matcher = BusMatcher(patterns: [try SubscriptionPattern(text: definition.pattern)])
        self.nameBytes = Array(definition.name.utf8)
        self.busBytes = Array(definition.bus.utf8)
        self.orderingKey = definition.orderingKey.map { Array($0.utf8) }
    }

    /// Whether a log record is for this subscription: its ordering group and
    /// the event's bytes, or nil.
    func accepts(_ payload: UnsafeRawBufferPointer, flags: UInt8, arena: ProtobufArena,
                 context: PatternMatchContext, schemas: EventValidator?) -> (group: [UInt8]?, event: [UInt8])? {
        guard let (view, event) = matching(payload, flags: flags, arena: arena, context: context, schemas: schemas) else { return nil }
        var group: [UInt8]?
        if let orderingKey {
            for a in 0..<view.attributeCount where view.attributeKey(a).elementsEqual(orderingKey) {
                group = Array(view.attributeValue(a))
            }
        }
        return (group, Array(event))
    }

    /// The decoded event (valid until `arena` is reset) and its bytes, when
    /// the record is for this filter.
    func matching(_ payload: UnsafeRawBufferPointer, flags: UInt8, arena: ProtobufArena,
                  context: PatternMatchContext, schemas: EventValidator?) -> (EventView, UnsafeRawBufferPointer)? {
        var event = payload
        if flags & TargetedRecord.flag != 0 {
            guard let (target, bytes) = TargetedRecord.decode(payload), target.elementsEqual(nameBytes) else { return nil }
            event = bytes
        }
        if flags & TargetedRecord.flag == 0, let bus = Self.storedBus(event), !bus.elementsEqual(busBytes) {
            // Another bus's event: skip it without decoding it (most records,
            // when several buses share the log).
            return nil
        }
        arena.reset()
        guard let raw = FrameDecoder.decodeStoredEvent(event, arena: arena) else {
            return nil
        }
        let view = EventView(raw: raw)
        if flags & TargetedRecord.flag == 0 {
            guard view.bus.elementsEqual(busBytes) else { return nil }
            let routed = RoutedEvent(view: view, account: EventView.bytes(raw.pointee.account), id: view.id,
                                     timeUnixNanos: view.timeUnixNanos, schemas: schemas)
            var matched = false
            matcher.match(routed, context: context) { _ in matched = true }
            guard matched else { return nil }
        }
        return (view, event)
    }

    /// The bus of a stored event, read without decoding it: the last `bus`
    /// field (8), which is the one protobuf keeps, and the one the gateway
    /// stamps when the producer named none. Nil when the event has none or
    /// does not scan (decoding then decides).
    static func storedBus(_ event: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var scanner = WireScanner(event)
        var bus: UnsafeRawBufferPointer?
        while let field = scanner.next() {
            if field.field == 8 && field.wireType == 2 { bus = field.bytes }
        }
        return scanner.isAtEnd ? bus : nil
    }
}
