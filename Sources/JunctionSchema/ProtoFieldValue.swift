/// One scalar value met by the walker, handed to a ``ProtoFieldVisitor``. Byte payloads point into the
/// validated buffer and are valid only during the callback.
public enum ProtoFieldValue {
    /// int32, int64, sint32, sint64, sfixed32, sfixed64.
    case int(Int64)
    /// uint32, uint64, fixed32, fixed64.
    case uint(UInt64)
    /// double.
    case double(Double)
    /// float (kept apart from double so that it prints in its own shortest
    /// form: a float 0.1 is 0.1, not 0.10000000149011612).
    case float(Float)
    /// bool.
    case bool(Bool)
    /// A string field's UTF-8 bytes (already validated).
    case string(UnsafeRawBufferPointer)
    /// A bytes field's raw bytes (JSON shows them base64-encoded).
    case bytes(UnsafeRawBufferPointer)
    /// An enum value; `name` is the UTF-8 value name when the number is declared (JSON shows the name).
    case enumValue(Int32, name: UnsafeRawBufferPointer?)

    /// A copy that owns its bytes, for storing beyond the callback.
    public var stringValue: String? {
        switch self {
        case .string(let b): return String(decoding: b, as: UTF8.self)
        case .enumValue(_, let name?): return String(decoding: name, as: UTF8.self)
        default: return nil
        }
    }
}
