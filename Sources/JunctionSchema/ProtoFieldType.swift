/// The declared type of a protobuf field (`google.protobuf.FieldDescriptorProto.Type`).
public enum ProtoFieldType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case double = 1, float = 2, int64 = 3, uint64 = 4, int32 = 5, fixed64 = 6, fixed32 = 7, bool = 8
    case string = 9, group = 10, message = 11, bytes = 12, uint32 = 13, `enum` = 14
    case sfixed32 = 15, sfixed64 = 16, sint32 = 17, sint64 = 18

    /// The `.proto` spelling of the type.
    public var description: String {
        switch self {
        case .double: return "double"
        case .float: return "float"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .int32: return "int32"
        case .fixed64: return "fixed64"
        case .fixed32: return "fixed32"
        case .bool: return "bool"
        case .string: return "string"
        case .group: return "group"
        case .message: return "message"
        case .bytes: return "bytes"
        case .uint32: return "uint32"
        case .enum: return "enum"
        case .sfixed32: return "sfixed32"
        case .sfixed64: return "sfixed64"
        case .sint32: return "sint32"
        case .sint64: return "sint64"
        }
    }

    /// The wire type of one (unpacked) value of this type.
    public var wireType: ProtoWireType {
        switch self {
        case .int64, .uint64, .int32, .bool, .uint32, .enum, .sint32, .sint64: return .varint
        case .fixed64, .sfixed64, .double: return .fixed64
        case .fixed32, .sfixed32, .float: return .fixed32
        case .string, .bytes, .message: return .lengthDelimited
        case .group: return .startGroup
        }
    }

    /// True for scalar numeric types, the only ones that may be packed.
    public var isPackable: Bool {
        switch wireType {
        case .varint, .fixed32, .fixed64: return true
        default: return false
        }
    }
}
