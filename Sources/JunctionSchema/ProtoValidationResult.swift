/// The outcome of validating one protobuf payload.
public enum ProtoValidationResult: Sendable, Equatable, Hashable {
    /// The payload conforms to the message type.
    case valid
    /// The payload breaks a rule; the failure names the path and the rule.
    case invalid(ProtoValidationFailure)

    /// True for ``valid``.
    public var isValid: Bool { if case .valid = self { return true } else { return false } }

    /// The failure, if any.
    public var failure: ProtoValidationFailure? { if case .invalid(let f) = self { return f } else { return nil } }
}
