/// A schema as submitted for registration: its format, its bytes and, for protobuf, the message type.
public struct SchemaDefinition: Sendable, Equatable, Hashable, Codable {
    /// Protobuf or JSON Schema.
    public var format: SchemaFormat
    /// The serialized `FileDescriptorSet` (protobuf) or the UTF-8 JSON Schema text (JSON).
    public var content: [UInt8]
    /// Fully qualified message name (protobuf only), without a leading dot.
    public var messageName: String?

    /// Creates a definition.
    public init(format: SchemaFormat, content: [UInt8], messageName: String? = nil) {
        self.format = format
        self.content = content
        self.messageName = messageName.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
    }

    /// A JSON Schema definition from its text.
    public static func json(_ text: String) -> SchemaDefinition {
        SchemaDefinition(format: .json, content: Array(text.utf8))
    }

    /// A protobuf definition from a serialized `FileDescriptorSet` and a message name.
    public static func protobuf(_ descriptorSet: [UInt8], messageName: String) -> SchemaDefinition {
        SchemaDefinition(format: .protobuf, content: descriptorSet, messageName: messageName)
    }
}
