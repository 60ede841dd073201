/// The two schema formats of the registry.
public enum SchemaFormat: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// A serialized `FileDescriptorSet` plus a fully qualified message name.
    case protobuf = "PROTOBUF"
    /// A JSON Schema (draft 2020-12) document.
    case json = "JSON"

    /// Parses "protobuf"/"proto" or "json"/"jsonschema", case-insensitively.
    public init?(name: String) {
        switch name.lowercased() {
        case "protobuf", "proto": self = .protobuf
        case "json", "jsonschema", "json-schema": self = .json
        default: return nil
        }
    }

    public var description: String { rawValue }
}
