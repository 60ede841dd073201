/// The cardinality of a protobuf field (`google.protobuf.FieldDescriptorProto.Label`).
public enum ProtoFieldLabel: Int32, Sendable, CustomStringConvertible {
    case optional = 1
    case required = 2
    case repeated = 3

    /// The `.proto` keyword.
    public var description: String {
        switch self {
        case .optional: return "optional"
        case .required: return "required"
        case .repeated: return "repeated"
        }
    }
}
