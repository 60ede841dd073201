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
            var out: [UInt8] = []
            out.appendUInt64Field(1, 42)
            out.appendStringField(2, pad)
            return out
        }
    }

    /// `FileDescriptorSet{file: bench.proto (proto3, package bench.v1), message Payload{int64 amount = 1; string pad = 2;}}`.
    static func descriptorSet() -> [UInt8] {
        func field(_ name: String, number: UInt64, type: UInt64) -> [UInt8] {
            var f: [UInt8] = []
            f.appendStringField(1, name)
            f.appendUInt64Field(3, number)
            f.appendUInt64Field(4, 1)       // LABEL_OPTIONAL
            f.appendUInt64Field(5, type)
            f.appendStringField(10, name)   // json_name
            return f
        }
        var message: [UInt8] = []
        message.appendStringField(1, "Payload")
        message.appendBytesField(2, field("amount", number: 1, type: 3)) // TYPE_INT64
        message.appendBytesField(2, field("pad", number: 2, type: 9))    // TYPE_STRING
        var file: [UInt8] = []
        file.appendStringField(1, "bench.proto")
        file.appendStringField(2, "bench.v1")
        file.appendBytesField(4, message)
        file.appendStringField(12, "proto3")
        var set: [UInt8] = []
        set.appendBytesField(1, file)
        return set
    }
}
