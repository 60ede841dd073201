/// `junction.v1.ContentType`.
public enum ContentType: Int32, Sendable, Hashable, CaseIterable {
    case unspecified = 0
    case json = 1
    case protobuf = 2
    case binary = 3
}

/// An event as a producer builds it (`junction.v1.Event`).
public struct OutgoingEvent: Sendable, Hashable {
    public var id: String
    public var source: String
    public var detailType: String
    /// Nanoseconds since the Unix epoch; 0 lets the gateway stamp it.
    public var timeUnixNanos: Int64
    public var subject: String
    public var resources: [String]
    public var bus: String
    public var schemaSubject: String
    public var schemaVersion: UInt32
    public var contentType: ContentType
    public var detail: [UInt8]
    /// Attributes in the order they are sent; keys should be unique.
    public var attributes: [(key: String, value: String)] {
        get { attributeList.map { ($0.key, $0.value) } }
        set { attributeList = newValue.map { Attribute(key: $0.key, value: $0.value) } }
    }

    struct Attribute: Sendable, Hashable {
        var key: String
        var value: String
    }

    private var attributeList: [Attribute]

    public init(
        id: String = "", source: String, detailType: String, timeUnixNanos: Int64 = 0,
        subject: String = "", resources: [String] = [], bus: String = "",
        schemaSubject: String = "", schemaVersion: UInt32 = 0,
        contentType: ContentType = .json, detail: [UInt8] = [],
        attributes: [(key: String, value: String)] = []
    ) {
        self.id = id
        self.source = source
        self.detailType = detailType
        self.timeUnixNanos = timeUnixNanos
        self.subject = subject
        self.resources = resources
        self.bus = bus
        self.schemaSubject = schemaSubject
        self.schemaVersion = schemaVersion
        self.contentType = contentType
        self.detail = detail
        self.attributeList = attributes.map { Attribute(key: $0.key, value: $0.value) }
    }

    private var schemaSize: Int {
        ProtoSize.stringField(1, schemaSubject) + ProtoSize.uint64Field(2, UInt64(schemaVersion))
    }

    private static func attributeSize(_ a: Attribute) -> Int {
        ProtoSize.stringField(1, a.key) + ProtoSize.stringField(2, a.value)
    }

    /// Bytes of the encoded `Event` message.
    public var encodedSize: Int {
        var size = ProtoSize.stringField(1, id) + ProtoSize.stringField(2, source)
            + ProtoSize.stringField(3, detailType) + ProtoSize.int64Field(4, timeUnixNanos)
            + ProtoSize.stringField(5, subject)
        for r in resources { size += ProtoSize.messageField(6, length: r.utf8.count) }
        size += ProtoSize.stringField(8, bus)
        let schema = schemaSize
        if schema > 0 { size += ProtoSize.messageField(9, length: schema) }
        size += ProtoSize.uint64Field(10, UInt64(UInt32(bitPattern: contentType.rawValue)))
        size += ProtoSize.bytesField(11, count: detail.count)
        for a in attributeList { size += ProtoSize.messageField(12, length: Self.attributeSize(a)) }
        return size
    }

    /// Writes the `Event` message (without a length prefix).
    public func encode(into w: inout ProtoWriter) {
        w.stringField(1, id)
        w.stringField(2, source)
        w.stringField(3, detailType)
        w.int64Field(4, timeUnixNanos)
        w.stringField(5, subject)
        for r in resources {
            // An empty resource is still an element of the list.
            w.messageHeader(6, length: r.utf8.count)
            var r = r
            r.withUTF8 { w.raw(UnsafeRawBufferPointer($0)) }
        }
        w.stringField(8, bus)
        let schema = schemaSize
        if schema > 0 {
            w.messageHeader(9, length: schema)
            w.stringField(1, schemaSubject)
            w.uint64Field(2, UInt64(schemaVersion))
        }
        w.uint64Field(10, UInt64(UInt32(bitPattern: contentType.rawValue)))
        detail.withUnsafeBytes { w.bytesField(11, $0) }
        for a in attributeList {
            w.messageHeader(12, length: Self.attributeSize(a))
            w.stringField(1, a.key)
            w.stringField(2, a.value)
        }
    }

    /// The encoded `Event` message.
    public func encoded() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: encodedSize) { buffer, count in
            var w = ProtoWriter(UnsafeMutableRawBufferPointer(buffer))
            encode(into: &w)
            count = w.written(since: UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }
}
