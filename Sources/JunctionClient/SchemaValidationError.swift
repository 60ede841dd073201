public import JunctionSchema

/// Why the client refused to publish an event, or refused a received one:
/// its detail breaks its schema, names a schema the registry does not have,
/// or has the wrong content type. Thrown by ``SchemaCache``; an event that
/// fails is not sent.
public struct SchemaValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Equatable {
        /// The detail does not conform (``path`` and ``rule`` say where and why).
        case violation
        /// The schema reference names no registered subject or version.
        case unknownSchema
        /// The event has no schema reference.
        case missingSchema
    }

    public var kind: Kind
    /// The subject and version (the version it resolved to; 0 when unknown).
    public var subject: String
    public var version: Int
    /// The event's index in the batch, when publishing several.
    public var eventIndex: Int?
    /// Field path, e.g. `detail.amount` (violations).
    public var path: String
    /// Rule: a protobuf rule (`wire-type`, `required`, ...), a JSON Schema
    /// keyword (`maximum`, `required`, ...), or `content-type`.
    public var rule: String
    /// What is wrong.
    public var reason: String

    public init(kind: Kind, subject: String, version: Int, eventIndex: Int? = nil, path: String = "", rule: String = "",
                reason: String) {
        self.kind = kind
        self.subject = subject
        self.version = version
        self.eventIndex = eventIndex
        self.path = path
        self.rule = rule
        self.reason = reason
    }

    init(_ failure: SchemaValidationFailure, subject: String, version: Int) {
        self.init(kind: .violation, subject: subject, version: version, path: failure.path, rule: failure.rule, reason: failure.reason)
    }

    /// e.g. `event 2: detail.amount: 5000 is greater than the maximum 1000 (rule maximum; schema orders version 1)`.
    public var description: String {
        let prefix = eventIndex.map { "event \($0): " } ?? ""
        switch kind {
        case .violation:
            return "\(prefix)\(path): \(reason) (rule \(rule); schema \(subject) version \(version))"
        case .unknownSchema, .missingSchema:
            return "\(prefix)schema: \(reason)"
        }
    }
}
