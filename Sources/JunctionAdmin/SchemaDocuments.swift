/// `schema.register` and `schema.check`: a schema for a subject.
///
/// Protobuf schemas give `descriptor_set_base64` (a serialized
/// `google.protobuf.FileDescriptorSet`, as `protoc --descriptor_set_out
/// --include_imports` writes it, base64-encoded) and `message` (the fully
/// qualified message name); JSON Schemas give `schema` (the JSON Schema
/// document as text, draft 2020-12).
public struct SchemaRegistration: Codable, Sendable, Equatable {
    /// Subject name: 1-255 letters, digits, `.`, `_`, `-`, `:`.
    public var subject: String
    /// "protobuf" or "json".
    public var format: String
    /// The JSON Schema text (format "json").
    public var schema: String?
    /// The FileDescriptorSet, base64 (format "protobuf").
    public var descriptorSetBase64: String?
    /// The fully qualified message name (format "protobuf").
    public var message: String?
    /// Protobuf only: whether the gateway accepts fields the message does not
    /// declare (default true). Kept per subject; when absent the subject's
    /// current setting stays.
    public var allowUnknownFields: Bool?

    public init(subject: String, format: String, schema: String? = nil, descriptorSetBase64: String? = nil,
                message: String? = nil, allowUnknownFields: Bool? = nil) {
        self.subject = subject
        self.format = format
        self.schema = schema
        self.descriptorSetBase64 = descriptorSetBase64
        self.message = message
        self.allowUnknownFields = allowUnknownFields
    }
}

/// `schema.register`'s answer.
public struct SchemaRegistered: Codable, Sendable, Equatable {
    public var subject: String
    /// The subject's version holding the schema (new, or the existing one when
    /// the same schema was registered before).
    public var version: Int
    /// The global schema id.
    public var id: Int
    /// False when an identical schema was already a version of the subject.
    public var created: Bool

    public init(subject: String, version: Int, id: Int, created: Bool) {
        self.subject = subject
        self.version = version
        self.id = id
        self.created = created
    }
}

/// `schema.get`: a subject's version (`version` absent or 0: the latest),
/// or a schema by its global `id`.
public struct SchemaQuery: Codable, Sendable, Equatable {
    public var subject: String?
    public var version: Int?
    public var id: Int?

    public init(subject: String? = nil, version: Int? = nil, id: Int? = nil) {
        self.subject = subject
        self.version = version
        self.id = id
    }
}

/// A stored schema, as `schema.get` reports it. `subject` and `version` are
/// absent when it was asked for by id.
public struct SchemaInfo: Codable, Sendable, Equatable {
    public var subject: String?
    public var version: Int?
    /// The global schema id.
    public var id: Int
    /// "protobuf" or "json".
    public var format: String
    /// The JSON Schema text (format "json").
    public var schema: String?
    /// The FileDescriptorSet, base64 (format "protobuf").
    public var descriptorSetBase64: String?
    /// The fully qualified message name (format "protobuf").
    public var message: String?
    /// Protobuf: whether the gateway accepts undeclared fields for the subject.
    public var allowUnknownFields: Bool?

    public init(subject: String?, version: Int?, id: Int, format: String, schema: String? = nil,
                descriptorSetBase64: String? = nil, message: String? = nil, allowUnknownFields: Bool? = nil) {
        self.subject = subject
        self.version = version
        self.id = id
        self.format = format
        self.schema = schema
        self.descriptorSetBase64 = descriptorSetBase64
        self.message = message
        self.allowUnknownFields = allowUnknownFields
    }
}

/// `schema.list`: every subject, or only `subject`.
public struct SchemaListRequest: Codable, Sendable, Equatable {
    public var subject: String?
    public init(subject: String? = nil) { self.subject = subject }
}

/// One subject in `schema.list`'s answer.
public struct SchemaSubjectSummary: Codable, Sendable, Equatable {
    public var subject: String
    /// Its effective compatibility mode (BACKWARD, ..., NONE).
    public var mode: String
    /// Its version numbers, ascending.
    public var versions: [Int]

    public init(subject: String, mode: String, versions: [Int]) {
        self.subject = subject
        self.mode = mode
        self.versions = versions
    }
}

/// `schema.list`'s answer.
public struct SchemaList: Codable, Sendable, Equatable {
    public var subjects: [SchemaSubjectSummary]
    public init(subjects: [SchemaSubjectSummary]) { self.subjects = subjects }
}

/// `schema.mode`: sets a subject's compatibility mode; also its answer.
public struct SchemaModeSetting: Codable, Sendable, Equatable {
    public var subject: String
    /// BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
    /// FULL_TRANSITIVE or NONE (case-insensitive, `-` or `_`).
    public var mode: String

    public init(subject: String, mode: String) {
        self.subject = subject
        self.mode = mode
    }
}

/// One reason a schema is incompatible with a subject's earlier versions.
public struct SchemaViolation: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Where: `message.field` (protobuf) or a JSON pointer into the schema.
    public var path: String
    /// The rule broken, e.g. FIELD_SAME_NAME or REQUIRED_PROPERTY_ADDED (docs/schemas.md).
    public var rule: String
    /// What changed.
    public var message: String
    /// BACKWARD or FORWARD: the reader/writer pairing it breaks.
    public var direction: String?
    /// The earlier version it was compared with.
    public var version: Int?

    public init(path: String, rule: String, message: String, direction: String? = nil, version: Int? = nil) {
        self.path = path
        self.rule = rule
        self.message = message
        self.direction = direction
        self.version = version
    }

    /// `RULE path: message (DIRECTION, version N)`.
    public var description: String {
        var suffix = direction ?? ""
        if let version { suffix += suffix.isEmpty ? "version \(version)" : ", version \(version)" }
        return "\(rule) \(path.isEmpty ? "(schema)" : path): \(message)" + (suffix.isEmpty ? "" : " (\(suffix))")
    }
}

/// The body of a refused `schema.register` (ERROR_INCOMPATIBLE_SCHEMA).
public struct SchemaViolations: Codable, Sendable, Equatable {
    public var violations: [SchemaViolation]
    public init(violations: [SchemaViolation]) { self.violations = violations }
}

/// `schema.check`'s answer.
public struct SchemaCheckResult: Codable, Sendable, Equatable {
    /// True when the schema could be registered.
    public var compatible: Bool
    /// The subject's mode that was checked.
    public var mode: String
    /// Every violation (empty when compatible).
    public var violations: [SchemaViolation]

    public init(compatible: Bool, mode: String, violations: [SchemaViolation]) {
        self.compatible = compatible
        self.mode = mode
        self.violations = violations
    }
}
