import Foundation
import JunctionAdmin
import JunctionClient
import JunctionWire

/// `junction bench --schema json|protobuf`: the schema bench events carry, and
/// details valid for it, so that a gateway started with
/// `--validation default=enforce` validates every event.
///
/// The detail is `{amount: 42, pad: "aaa…"}` (the pad fills the event to
/// `--size`); the protobuf descriptor is built here, so no protoc is needed.
enum BenchSchema: String {
    case json
    case protobuf

    var subject: String { "bench.\(rawValue)" }

    var contentType: ContentType { self == .json ? .json : .protobuf }

    /// The registration of the schema (JSON Schema, or `bench.v1.Payload`).
    var registration: SchemaRegistration {
        switch self {
        case .json:
            return SchemaRegistration(subject: subject, format: "json", schema: """
                {"type":"object","properties":{"amount":{"type":"integer","minimum":0},"pad":{"type":"string"}},\
                "required":["amount","pad"],"additionalProperties":false}
                """)
        case .protobuf:
            return SchemaRegistration(subject: subject, format: "protobuf",
                                      descriptorSetBase64: Data(Self.descriptorSet()).base64EncodedString(), message: "bench.v1.Payload")
        }
    }

    /// Registers the schema (mode NONE, so that reruns never conflict).
    func register(on connection: JunctionConnection) async throws {
        _ = try await connection.admin(AdminOperation.schemaMode, SchemaModeSetting(subject: subject, mode: "NONE"), as: SchemaModeSetting.self)
        _ = try await connection.admin(AdminOperation.schemaRegister, registration, as: SchemaRegistered.self)
    }

    /// A valid detail with a pad of `padding` bytes.
    func detail(padding: Int) -> [UInt8] {
        let pad = String(repeating: "a", count: max(0, padding))
        switch self {
        case .json:
            return Array(#"{"amount":42,"pad":"\#(pad)"}"#.utf8)
        case .protobuf:
            var out = Proto()
            out.varintField(1, 42)
            out.bytesField(2, Array(pad.utf8))
            return out.bytes
        }
    }

    /// `FileDescriptorSet{file: bench.proto (proto3, package bench.v1), message Payload{int64 amount = 1; string pad = 2;}}`.
    static func descriptorSet() -> [UInt8] {
        func field(_ name: String, number: UInt64, type: UInt64) -> [UInt8] {
            var f = Proto()
            f.bytesField(1, Array(name.utf8))
            f.varintField(3, number)
            f.varintField(4, 1)             // LABEL_OPTIONAL
            f.varintField(5, type)
            f.bytesField(10, Array(name.utf8)) // json_name
            return f.bytes
        }
        var message = Proto()
        message.bytesField(1, Array("Payload".utf8))
        message.bytesField(2, field("amount", number: 1, type: 3)) // TYPE_INT64
        message.bytesField(2, field("pad", number: 2, type: 9))    // TYPE_STRING
        var file = Proto()
        file.bytesField(1, Array("bench.proto".utf8))
        file.bytesField(2, Array("bench.v1".utf8))
        file.bytesField(4, message.bytes)
        file.bytesField(12, Array("proto3".utf8))
        var set = Proto()
        set.bytesField(1, file.bytes)
        return set.bytes
    }

    /// Just enough protobuf encoding for the descriptor and the payload.
    private struct Proto {
        var bytes: [UInt8] = []

        mutating func varint(_ value: UInt64) {
            var v = value
            while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            bytes.append(UInt8(v))
        }

        mutating func varintField(_ number: UInt64, _ value: UInt64) {
            varint(number << 3)
            varint(value)
        }

        mutating func bytesField(_ number: UInt64, _ value: [UInt8]) {
            varint(number << 3 | 2)
            varint(UInt64(value.count))
            bytes += value
        }
    }
}
