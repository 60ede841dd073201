import JunctionSchema

/// A subject version compiled for the pipeline: what a worker caches per
/// (subject, version) to validate details and to feed protobuf details to
/// the pattern matcher. Immutable, shared by every worker.
final class ResolvedSchema: Sendable {
    /// The subject.
    let subject: String
    /// The version it resolved to (the latest, for references with version 0).
    let version: Int
    /// Protobuf or JSON Schema.
    let format: SchemaFormat
    /// Validates one detail.
    let validator: SchemaValidator

    init(subject: String, version: Int, validator: SchemaValidator) {
        self.subject = subject
        self.version = version
        self.validator = validator
        switch validator {
        case .protobuf: format = .protobuf
        case .json: format = .json
        }
    }

    /// The protobuf walker, for protobuf schemas.
    var protobuf: ProtoMessageValidator? {
        if case .protobuf(let v) = validator { return v }
        return nil
    }
}
