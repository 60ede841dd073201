/// One validator for event details, whatever the schema format: what the gateway and the clients call per event.
public enum SchemaValidator: Sendable {
    /// Protobuf details, walked against the descriptor.
    case protobuf(ProtoMessageValidator)
    /// JSON details, parsed then checked against the JSON Schema.
    case json(JSONSchema)

    /// Validates one encoded detail (protobuf bytes or UTF-8 JSON).
    public func validate(_ detail: UnsafeRawBufferPointer) -> SchemaValidationResult {
        switch self {
        case .protobuf(let v):
            switch v.validate(detail) {
            case .valid: return .valid
            case .invalid(let f): return .invalid(SchemaValidationFailure(path: f.path, rule: f.rule.rawValue, reason: f.reason))
            }
        case .json(let s):
            switch s.validate(json: detail) {
            case .valid: return .valid
            case .invalid(let v): return .invalid(SchemaValidationFailure(path: v.path, rule: v.keyword, reason: v.reason))
            }
        }
    }

    /// Validates one encoded detail held in an array.
    public func validate(_ detail: [UInt8]) -> SchemaValidationResult {
        detail.withUnsafeBytes { validate($0) }
    }
}

