/// The outcome of ``SchemaValidator/validate(_:)-(UnsafeRawBufferPointer)``.
public enum SchemaValidationResult: Sendable, Equatable, Hashable {
    /// The detail conforms.
    case valid
    /// It does not; the failure gives path, rule and reason.
    case invalid(SchemaValidationFailure)
}

