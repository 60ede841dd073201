/// The walker's compact failure record: no strings, so throwing it allocates nothing. The validator turns it
/// into a ``ProtoValidationFailure`` with the path and the reason text.
struct ProtoWalkFailure: Error {
    enum Code: UInt8 {
        case truncated, varintOverflow, invalidWireType, invalidFieldNumber, wireType, varintRange, utf8
        case enumValue, required, unknownField, depth, packedLength, groupMismatch

        var rule: ProtoValidationRule {
            switch self {
            case .truncated: return .truncated
            case .varintOverflow, .invalidWireType, .invalidFieldNumber, .groupMismatch: return .malformed
            case .wireType: return .wireType
            case .varintRange: return .varintRange
            case .utf8: return .utf8
            case .enumValue: return .enumValue
            case .required: return .required
            case .unknownField: return .unknownField
            case .depth: return .depth
            case .packedLength: return .packedLength
            }
        }
    }

    var code: Code
    /// Number of path segments (on the walker's stack) that locate the problem.
    var level: Int32
    /// Field index in the compiled tables, or -1.
    var field: Int32
    /// Byte offset in the payload.
    var offset: Int
    /// Code-specific data (found wire type, element size, ...).
    var a: UInt64
    /// Code-specific data (value, field number, length, ...).
    var b: UInt64

    init(_ code: Code, level: Int, field: Int = -1, offset: Int, a: UInt64 = 0, b: UInt64 = 0) {
        self.code = code
        self.level = Int32(level)
        self.field = Int32(field)
        self.offset = offset
        self.a = a
        self.b = b
    }
}
