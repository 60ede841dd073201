/// A log record addressed to one durable subscription rather than routed by
/// pattern: a dead letter moved to a dead-letter subscription, or an event
/// replayed into a subscription. Other subscriptions skip it without decoding.
///
/// Record flags bit 0 marks it; the payload is
/// ```
/// u8   version (1)
/// u16  length of the target subscription's name, little-endian
/// ...  the name (UTF-8)
/// ...  the event, encoded as stored events are
/// ```
enum TargetedRecord {
    static let flag: UInt8 = 1
    static let version: UInt8 = 1

    /// The payload addressing `event` to `subscription`.
    static func encode(subscription: String, event: UnsafeRawBufferPointer) -> [UInt8] {
        let name = Array(subscription.utf8)
        var payload: [UInt8] = []
        payload.reserveCapacity(3 + name.count + event.count)
        payload.append(version)
        payload.append(UInt8(name.count & 0xFF))
        payload.append(UInt8(name.count >> 8))
        payload.append(contentsOf: name)
        payload.append(contentsOf: event)
        return payload
    }

    /// The target's name and the event, or nil when the payload is not a
    /// well-formed targeted record.
    static func decode(_ payload: UnsafeRawBufferPointer) -> (target: UnsafeRawBufferPointer, event: UnsafeRawBufferPointer)? {
        guard payload.count >= 3, payload[0] == version else { return nil }
        let length = Int(payload[1]) | Int(payload[2]) << 8
        guard payload.count >= 3 + length else { return nil }
        return (UnsafeRawBufferPointer(rebasing: payload[3..<(3 + length)]),
                UnsafeRawBufferPointer(rebasing: payload[(3 + length)...]))
    }
}
