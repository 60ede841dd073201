/// The outcome of validating one JSON instance.
public enum JSONSchemaValidationResult: Sendable, Equatable, Hashable {
    /// The instance conforms.
    case valid
    /// The instance does not conform; the violation names the path and the reason.
    case invalid(JSONSchemaViolation)

    /// True for ``valid``.
    public var isValid: Bool { if case .valid = self { return true } else { return false } }

    /// The violation, if any.
    public var violation: JSONSchemaViolation? { if case .invalid(let v) = self { return v } else { return nil } }
}
