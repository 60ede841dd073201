import Foundation
public import JunctionAdmin
public import JunctionSchema
public import JunctionWire

/// One registered schema version, compiled for validating details on the
/// client (fetched by ``SchemaCache``).
public struct ClientSchema: Sendable {
    public let subject: String
    /// The version this is (a version-0 reference resolves to the latest).
    public let version: Int
    /// Global schema id.
    public let id: Int
    public let format: SchemaFormat
    /// The validator, the same type the gateway uses.
    public let validator: SchemaValidator

    /// Compiles the document `schema.get` returned.
    public init(info: SchemaInfo, subject: String) throws {
        self.subject = subject
        self.version = info.version ?? 0
        self.id = info.id
        let definition: SchemaDefinition
        switch info.format {
        case "json":
            guard let text = info.schema else {
                throw JunctionClientError(.protocolViolation, "schema.get for \(subject): a JSON schema without its text")
            }
            definition = .json(text)
        case "protobuf":
            guard let encoded = info.descriptorSetBase64, let bytes = Data(base64Encoded: encoded), let message = info.message else {
                throw JunctionClientError(.protocolViolation, "schema.get for \(subject): a protobuf schema without descriptor_set_base64 or message")
            }
            definition = .protobuf([UInt8](bytes), messageName: message)
        default:
            throw JunctionClientError(.protocolViolation, "schema.get for \(subject): unknown format \"\(info.format)\"")
        }
        format = definition.format
        do {
            validator = try CompiledSchema(definition)
                .makeValidator(protobuf: ProtoValidationOptions(allowUnknownFields: info.allowUnknownFields ?? true))
        } catch {
            throw JunctionClientError(.protocolViolation, "schema \(subject) version \(version) does not compile: \(error.message)")
        }
    }

    /// Checks a detail and its content type, as the gateway does on a bus in
    /// enforce mode. Throws ``SchemaValidationError``.
    public func validate(detail: [UInt8], contentType: ContentType) throws(SchemaValidationError) {
        let expected: ContentType = format == .json ? .json : .protobuf
        guard contentType == expected || contentType == .unspecified else {
            throw SchemaValidationError(kind: .violation, subject: subject, version: version, path: "content_type",
                                        rule: "content-type",
                                        reason: "the event's content type is \(contentType), but the schema is \(format == .json ? "a JSON Schema" : "protobuf") (use .\(expected))")
        }
        if case .invalid(let failure) = validator.validate(detail) {
            throw SchemaValidationError(failure, subject: subject, version: version)
        }
    }
}

/// A received detail that passed its schema.
public struct ValidatedDetail: Sendable {
    /// The schema it was checked against.
    public let schema: ClientSchema
    /// The detail bytes (JSON text or a protobuf message).
    public let bytes: [UInt8]

    /// Decodes a JSON detail into `T`.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        guard schema.format == .json else {
            throw JunctionClientError(.protocolViolation, "decode: the detail of \(schema.subject) is protobuf; use fields() or a generated type")
        }
        return try decoder.decode(type, from: Data(bytes))
    }

    /// The scalar fields of a protobuf detail, by path of JSON names
    /// (`customer.name`, `labels[env]`), in wire order; repeated fields give
    /// one entry per element. Empty for JSON details.
    public func fields() -> [(path: String, value: String)] {
        guard case .protobuf(let walker) = schema.validator else { return [] }
        var collector = FieldCollector()
        _ = bytes.withUnsafeBytes { walker.walk($0, visitor: &collector) }
        return collector.fields
    }
}

/// Collects a protobuf detail's fields as text (see ``ValidatedDetail/fields()``).
struct FieldCollector: ProtoFieldVisitor {
    var fields: [(path: String, value: String)] = []

    mutating func visit(_ path: ProtoFieldPath, _ value: ProtoFieldValue) {
        let text: String
        switch value {
        case .int(let v): text = String(v)
        case .uint(let v): text = String(v)
        case .double(let v): text = String(v)
        case .float(let v): text = String(v)
        case .bool(let v): text = String(v)
        case .string(let b): text = String(decoding: b, as: UTF8.self)
        case .bytes(let b): text = Data(b).base64EncodedString()
        case .enumValue(let n, let name): text = name.map { String(decoding: $0, as: UTF8.self) } ?? String(n)
        }
        fields.append((path.dotted, text))
    }
}
