import Foundation
import JunctionClient
import JunctionJSON
import JunctionWire

/// Converts between events and the JSON lines that `publish` reads and
/// `subscribe` prints.
enum EventJSON {
    struct InputError: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads one event from a JSON object: `source`, `detail-type` (or
    /// `detail_type`), `detail` (any JSON: sent as JSON), `detail_base64`,
    /// `id`, `time` (RFC 3339) or `time_unix_nanos`, `subject`, `resources`,
    /// `bus`, `schema` {subject, version}, `content_type`, `attributes`.
    static func event(from line: String) throws -> OutgoingEvent {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw InputError(description: "not JSON: \(error)")
        }
        guard case .object(let o) = value else { throw InputError(description: "an event must be a JSON object") }
        func string(_ key: String) throws -> String? {
            guard let v = o[key] else { return nil }
            guard case .string(let s) = v else { throw InputError(description: "\(key): expected a string") }
            return s
        }
        var event = OutgoingEvent(source: try string("source") ?? "", detailType: try string("detail-type") ?? string("detail_type") ?? "")
        event.id = try string("id") ?? ""
        event.subject = try string("subject") ?? ""
        event.bus = try string("bus") ?? ""
        if let time = try string("time") {
            guard let date = parseRFC3339(time) else { throw InputError(description: "time: \"\(time)\" is not an RFC 3339 timestamp") }
            event.timeUnixNanos = Int64((date.timeIntervalSince1970 * 1e9).rounded())
        }
        if case .number(let n)? = o["time_unix_nanos"] {
            guard let v = n.int64 else { throw InputError(description: "time_unix_nanos: expected an integer") }
            event.timeUnixNanos = v
        }
        if let resources = o["resources"] {
            guard case .array(let items) = resources else { throw InputError(description: "resources: expected an array of strings") }
            event.resources = try items.map {
                guard case .string(let s) = $0 else { throw InputError(description: "resources: expected strings") }
                return s
            }
        }
        if let detail = o["detail"] {
            event.detail = Array(detail.serialized().utf8)
            event.contentType = .json
        }
        if let b64 = try string("detail_base64") {
            guard let data = Data(base64Encoded: b64) else { throw InputError(description: "detail_base64: not base64") }
            event.detail = Array(data)
            event.contentType = .binary
        }
        if let ct = try string("content_type") {
            guard let type = contentType(named: ct) else {
                throw InputError(description: "content_type: expected json, protobuf, binary or unspecified, got \"\(ct)\"")
            }
            event.contentType = type
        }
        if case .object(let schema)? = o["schema"] {
            if case .string(let s)? = schema["subject"] { event.schemaSubject = s }
            if case .number(let n)? = schema["version"], let v = n.int64, v >= 0 { event.schemaVersion = UInt32(clamping: v) }
        }
        if let attributes = o["attributes"] {
            guard case .object(let a) = attributes else { throw InputError(description: "attributes: expected an object of strings") }
            event.attributes = try a.members.map {
                guard case .string(let s) = $0.value else { throw InputError(description: "attributes.\($0.key): expected a string") }
                return (key: $0.key, value: s)
            }
        }
        return event
    }

    static func contentType(named name: String) -> ContentType? {
        switch name {
        case "json": .json
        case "protobuf": .protobuf
        case "binary": .binary
        case "unspecified": .unspecified
        default: nil
        }
    }

    static func name(of type: ContentType) -> String {
        switch type {
        case .json: "json"
        case .protobuf: "protobuf"
        case .binary: "binary"
        case .unspecified: "unspecified"
        }
    }

    /// The JSON line `subscribe` prints for a delivery.
    static func line(for delivery: Delivery) -> String {
        let e = delivery.event
        var members: [JSONObject.Member] = [
            .init(key: "id", value: .string(e.id)),
            .init(key: "source", value: .string(e.source)),
            .init(key: "detail_type", value: .string(e.detailType)),
            .init(key: "time", value: .string(formatRFC3339(nanos: e.timeUnixNanos))),
            .init(key: "time_unix_nanos", value: .number(JSONNumber(text: String(e.timeUnixNanos)))),
            .init(key: "subject", value: .string(e.subject)),
            .init(key: "resources", value: .array(e.resources.map { .string($0) })),
            .init(key: "account", value: .string(e.account)),
            .init(key: "bus", value: .string(e.bus)),
            .init(key: "position", value: .number(JSONNumber(text: String(e.position)))),
            .init(key: "content_type", value: .string(name(of: e.contentType))),
        ]
        if e.contentType == .json || e.contentType == .unspecified, let detail = try? JSONParser.parse(e.detail) {
            members.append(.init(key: "detail", value: detail))
        } else {
            members.append(.init(key: "detail_base64", value: .string(Data(e.detail).base64EncodedString())))
        }
        members.append(.init(key: "attributes", value: .object(JSONObject(members: e.attributes.sorted { $0.key < $1.key }.map {
            .init(key: $0.key, value: .string($0.value))
        }))))
        if !e.schemaSubject.isEmpty {
            members.append(.init(key: "schema", value: .object(JSONObject(members: [
                .init(key: "subject", value: .string(e.schemaSubject)),
                .init(key: "version", value: .number(JSONNumber(text: String(e.schemaVersion)))),
            ]))))
        }
        let root = JSONValue.object(JSONObject(members: [
            .init(key: "delivery_id", value: .number(JSONNumber(text: String(delivery.deliveryID)))),
            .init(key: "attempt", value: .number(JSONNumber(text: String(delivery.attempt)))),
            .init(key: "event", value: .object(JSONObject(members: members))),
        ]))
        return root.serialized()
    }

    static func line(for result: PublishResult) -> String {
        var members: [JSONObject.Member] = [.init(key: "id", value: .string(result.id))]
        if result.accepted {
            members.append(.init(key: "position", value: .number(JSONNumber(text: String(result.position)))))
            members.append(.init(key: "status", value: .string("accepted")))
        } else {
            members.append(.init(key: "status", value: .string("rejected")))
            members.append(.init(key: "code", value: .string(result.code.description)))
            members.append(.init(key: "message", value: .string(result.message)))
        }
        return JSONValue.object(JSONObject(members: members)).serialized()
    }

    static func parseRFC3339(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = withFraction.date(from: text) { return d }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }

    static func formatRFC3339(nanos: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(nanos) / 1e9))
    }
}
