/// One field of a message, as declared in a `FileDescriptorSet`.
public struct ProtoFieldDescriptor: Sendable, Equatable, Hashable {
    /// The field name as written in the `.proto` file.
    public var name: String
    /// The field number (1 ... 2^29-1).
    public var number: Int32
    /// Cardinality: optional, required (proto2) or repeated.
    public var label: ProtoFieldLabel
    /// The declared type.
    public var type: ProtoFieldType
    /// Fully qualified name (no leading dot) of the message or enum type, for message/group/enum fields.
    public var typeName: String?
    /// The JSON name: `json_name` from the descriptor, or the lowerCamelCase of `name`.
    public var jsonName: String
    /// The proto2 default value as written (`[default = ...]`), if any.
    public var defaultValue: String?
    /// Index into the containing message's ``ProtoMessageDescriptor/oneofs`` when the field belongs to a oneof
    /// (including the synthetic oneof of a proto3 `optional` field).
    public var oneofIndex: Int?
    /// True for a proto3 field declared `optional` (explicit presence through a synthetic oneof).
    public var isProto3Optional: Bool
    /// The explicit `[packed = ...]` option, if written.
    public var packedOption: Bool?
    /// The `[jstype = ...]` option value (0 normal, 1 string, 2 number), if written.
    public var jsType: Int32?

    /// Creates a field descriptor.
    public init(
        name: String, number: Int32, label: ProtoFieldLabel, type: ProtoFieldType, typeName: String? = nil,
        jsonName: String? = nil, defaultValue: String? = nil, oneofIndex: Int? = nil,
        isProto3Optional: Bool = false, packedOption: Bool? = nil, jsType: Int32? = nil
    ) {
        self.name = name
        self.number = number
        self.label = label
        self.type = type
        self.typeName = typeName
        self.jsonName = jsonName ?? ProtoFieldDescriptor.defaultJSONName(for: name)
        self.defaultValue = defaultValue
        self.oneofIndex = oneofIndex
        self.isProto3Optional = isProto3Optional
        self.packedOption = packedOption
        self.jsType = jsType
    }

    /// True when the field is `repeated` (including map fields).
    public var isRepeated: Bool { label == .repeated }

    /// The oneof index of a real (non-synthetic) oneof, or nil.
    public var realOneofIndex: Int? { isProto3Optional ? nil : oneofIndex }

    /// protoc's JSON name rule: underscores removed, the following letter upper-cased.
    public static func defaultJSONName(for name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        var upperNext = false
        for ch in name {
            if ch == "_" {
                upperNext = true
            } else if upperNext {
                out += ch.uppercased()
                upperNext = false
            } else {
                out.append(ch)
            }
        }
        return out
    }
}
