import CJunctionWire
import Glibc
import JunctionWire

/// Read-only access to one decoded event of a publish frame: the protobuf-c
/// struct in the batch's arena, seen as byte slices (no Swift strings on the
/// hot path). Valid while its `PublishJob` is alive.
struct EventView {
    let raw: UnsafeMutablePointer<Junction__V1__Event>
    /// The strings read on every event, measured once.
    let id: UnsafeRawBufferPointer
    let source: UnsafeRawBufferPointer
    let detailType: UnsafeRawBufferPointer
    let subject: UnsafeRawBufferPointer
    let bus: UnsafeRawBufferPointer

    init(raw: UnsafeMutablePointer<Junction__V1__Event>) {
        self.raw = raw
        id = Self.bytes(raw.pointee.id)
        source = Self.bytes(raw.pointee.source)
        detailType = Self.bytes(raw.pointee.detail_type)
        subject = Self.bytes(raw.pointee.subject)
        bus = Self.bytes(raw.pointee.bus)
    }

    @inline(__always)
    static func bytes(_ s: UnsafeMutablePointer<CChar>?) -> UnsafeRawBufferPointer {
        guard let s else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: s, count: strlen(s))
    }

    var timeUnixNanos: Int64 { raw.pointee.time_unix_nanos }
    var resourceCount: Int { raw.pointee.n_resources }
    func resource(_ i: Int) -> UnsafeRawBufferPointer { Self.bytes(raw.pointee.resources[i]) }
    var attributeCount: Int { raw.pointee.n_attributes }
    func attributeKey(_ i: Int) -> UnsafeRawBufferPointer { Self.bytes(raw.pointee.attributes[i]!.pointee.key) }
    func attributeValue(_ i: Int) -> UnsafeRawBufferPointer { Self.bytes(raw.pointee.attributes[i]!.pointee.value) }
    var contentType: ContentType { ContentType(rawValue: Int32(raw.pointee.content_type.rawValue)) ?? .unspecified }
    var detail: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: raw.pointee.detail.data, count: raw.pointee.detail.len) }
    var hasSchema: Bool { raw.pointee.schema != nil }
    var schemaSubject: UnsafeRawBufferPointer { raw.pointee.schema.map { Self.bytes($0.pointee.subject) } ?? .init(start: nil, count: 0) }
    var schemaVersion: UInt32 { raw.pointee.schema?.pointee.version ?? 0 }
}

extension UnsafeRawBufferPointer {
    /// Byte-wise equality with a UTF-8 string's bytes.
    @inline(__always)
    func equals(_ other: UnsafeRawBufferPointer) -> Bool {
        count == other.count && (count == 0 || memcmp(baseAddress!, other.baseAddress!, count) == 0)
    }

    /// The bytes as a String (for error messages and logs, not the hot path).
    var string: String { String(decoding: self, as: UTF8.self) }
}
