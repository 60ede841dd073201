import CJunctionWire
public import JunctionWire

/// An event as a subscriber receives it, with the gateway's stamped fields.
public struct ReceivedEvent: Sendable, Hashable {
    public var id: String
    public var source: String
    public var detailType: String
    public var timeUnixNanos: Int64
    public var subject: String
    public var resources: [String]
    public var account: String
    public var bus: String
    public var schemaSubject: String
    public var schemaVersion: UInt32
    public var contentType: ContentType
    public var detail: [UInt8]
    /// Attributes; when a key was sent twice, the last value (protobuf map semantics).
    public var attributes: [String: String]
    /// Position in the gateway's log.
    public var position: UInt64

    init(_ e: UnsafeMutablePointer<Junction__V1__Event>) {
        func s(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        let ev = e.pointee
        id = s(ev.id)
        source = s(ev.source)
        detailType = s(ev.detail_type)
        timeUnixNanos = ev.time_unix_nanos
        subject = s(ev.subject)
        resources = (0..<ev.n_resources).map { s(ev.resources[$0]) }
        account = s(ev.account)
        bus = s(ev.bus)
        schemaSubject = ev.schema.map { s($0.pointee.subject) } ?? ""
        schemaVersion = ev.schema?.pointee.version ?? 0
        contentType = ContentType(rawValue: Int32(ev.content_type.rawValue)) ?? .unspecified
        detail = ev.detail.len > 0 ? Array(UnsafeBufferPointer(start: ev.detail.data, count: ev.detail.len)) : []
        var attributes: [String: String] = [:]
        for i in 0..<ev.n_attributes {
            let entry = ev.attributes[i]!.pointee
            attributes[s(entry.key)] = s(entry.value)
        }
        self.attributes = attributes
        position = ev.position
    }
}

/// One delivery of a subscription stream.
public struct Delivery: Sendable, Hashable {
    /// Names this delivery in `ack`/`nack`.
    public var deliveryID: UInt64
    /// 1 on first delivery.
    public var attempt: UInt32
    public var event: ReceivedEvent
}

/// The gateway's answer for one published event.
public struct PublishResult: Sendable, Hashable, CustomStringConvertible {
    public var id: String
    public var position: UInt64
    public var code: RejectCode
    public var message: String

    public var accepted: Bool { code == .accepted }

    public var description: String {
        accepted ? "accepted \(id) at \(position)" : "rejected \(id.isEmpty ? "(no id)" : id): \(code): \(message)"
    }
}

/// An error from the client or the gateway.
public struct JunctionClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The server sent an Error frame (`code` says which).
        case server(WireError.Code)
        /// The connection closed (or could not be opened).
        case connection
        /// The server's answer did not come in time.
        case timeout
        /// The server's bytes broke the protocol.
        case protocolViolation
    }

    public var kind: Kind
    public var message: String
    /// For a refused admin request: the response document (JSON), for
    /// example `{"violations": [...]}`; otherwise empty.
    public var details: [UInt8] = []

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String {
        switch kind {
        case .server(let code): "server error \(code): \(message)"
        case .connection: "connection: \(message)"
        case .timeout: "timeout: \(message)"
        case .protocolViolation: "protocol violation: \(message)"
        }
    }
}
