/// Errors of the schema registry and of schema parsing, with a code for machines and a message for people.
public struct SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable, Equatable, Codable {
        /// The schema cannot be parsed or compiled.
        case invalidSchema = "INVALID_SCHEMA"
        /// The schema breaks the subject's compatibility mode; ``violations`` lists every violation.
        case incompatible = "INCOMPATIBLE"
        /// No such subject.
        case subjectNotFound = "SUBJECT_NOT_FOUND"
        /// No such version of the subject.
        case versionNotFound = "VERSION_NOT_FOUND"
        /// No schema with that id.
        case schemaNotFound = "SCHEMA_NOT_FOUND"
        /// The subject name is not acceptable.
        case invalidSubject = "INVALID_SUBJECT"
        /// The storage failed; ``message`` carries its error.
        case storage = "STORAGE"
    }

    /// The code.
    public var code: Code
    /// A human explanation.
    public var message: String
    /// For ``Code/incompatible``: every violation found.
    public var violations: [CompatibilityViolation]

    /// Creates an error.
    public init(_ code: Code, _ message: String, violations: [CompatibilityViolation] = []) {
        self.code = code
        self.message = message
        self.violations = violations
    }

    /// The message, followed by one line per violation.
    public var description: String {
        ([message] + violations.map { "  \($0)" }).joined(separator: "\n")
    }
}
