import Foundation
import JunctionAdmin
import JunctionSchema
import JunctionWire

/// The schema registry's admin operations (`schema.register`, `.get`,
/// `.list`, `.mode`, `.check`; see ADMINISTRATION in protocol.proto and
/// docs/admin.md). Registering and changing a mode need an administrator.
enum SchemaAdmin {
    /// Adds the schema operations, served by `service`, to `handlers`.
    static func install(into handlers: inout [String: AdminService.Handler], service: SchemaRegistryService) {
        handlers[AdminOperation.schemaRegister] = handler(service, register)
        handlers[AdminOperation.schemaGet] = handler(service, get)
        handlers[AdminOperation.schemaList] = handler(service, list)
        handlers[AdminOperation.schemaMode] = handler(service, mode)
        handlers[AdminOperation.schemaCheck] = handler(service, check)
    }

    private static func handler(
        _ service: SchemaRegistryService,
        _ operation: @escaping @Sendable (AdminCall, SchemaRegistryService) throws(AdminFailure) -> [UInt8]
    ) -> AdminService.Handler {
        let run: AdminService.Handler = { call in try operation(call, service) }
        return run
    }

    static func register(_ call: AdminCall, _ service: SchemaRegistryService) throws(AdminFailure) -> [UInt8] {
        try call.requireAdministrator(AdminOperation.schemaRegister)
        let request = try call.decode(SchemaRegistration.self)
        let definition = try definition(of: request)
        let result = try perform { try service.register(subject: request.subject, schema: definition,
                                                          allowUnknownFields: request.allowUnknownFields) }
        return AdminDocument.encode(SchemaRegistered(subject: request.subject, version: result.version.version,
                                                     id: result.version.schemaID, created: result.created))
    }

    static func check(_ call: AdminCall, _ service: SchemaRegistryService) throws(AdminFailure) -> [UInt8] {
        let request = try call.decode(SchemaRegistration.self)
        let definition = try definition(of: request)
        let result = try perform { try service.withRegistry { registry, _ in
            try registry.checkSchema(subject: request.subject, schema: definition)
        } }
        return AdminDocument.encode(SchemaCheckResult(compatible: result.violations.isEmpty, mode: result.mode.rawValue,
                                                      violations: result.violations.map(document)))
    }

    static func get(_ call: AdminCall, _ service: SchemaRegistryService) throws(AdminFailure) -> [UInt8] {
        let query = try call.decode(SchemaQuery.self)
        let info = try perform { () throws -> SchemaInfo in
            try service.withRegistry { registry, options in
                if let id = query.id {
                    guard query.subject == nil else {
                        throw AdminFailure(.invalidRequest, "give either id or subject (and version), not both")
                    }
                    return schemaInfo(of: try registry.schema(id: id), subject: nil, version: nil, allowUnknownFields: nil)
                }
                guard let subject = query.subject else {
                    throw AdminFailure(.invalidRequest, "subject: required (or give id)")
                }
                let version = query.version ?? 0
                guard version >= 0 else { throw AdminFailure(.invalidRequest, "version: must be 0 (latest) or more, found \(version)") }
                let (found, stored) = try registry.schema(subject: subject, version: version == 0 ? nil : version)
                return schemaInfo(of: stored, subject: subject, version: found.version,
                            allowUnknownFields: stored.definition.format == .protobuf ? options.allowsUnknownFields(subject, version: found.version) : nil)
            }
        }
        return AdminDocument.encode(info)
    }

    static func list(_ call: AdminCall, _ service: SchemaRegistryService) throws(AdminFailure) -> [UInt8] {
        let request = try call.decode(SchemaListRequest.self)
        let summaries = try perform { () throws -> [SchemaSubjectSummary] in
            try service.withRegistry { registry, _ in
                let subjects = try request.subject.map { [$0] } ?? registry.subjects()
                return try subjects.map { subject in
                    SchemaSubjectSummary(subject: subject, mode: try registry.mode(of: subject).rawValue,
                                         versions: try registry.versions(of: subject).map(\.version))
                }
            }
        }
        return AdminDocument.encode(SchemaList(subjects: summaries))
    }

    static func mode(_ call: AdminCall, _ service: SchemaRegistryService) throws(AdminFailure) -> [UInt8] {
        try call.requireAdministrator(AdminOperation.schemaMode)
        let request = try call.decode(SchemaModeSetting.self)
        guard let mode = CompatibilityMode(name: request.mode) else {
            let known = CompatibilityMode.allCases.map(\.rawValue).joined(separator: ", ")
            throw AdminFailure(.invalidRequest, "mode: unknown mode \"\(request.mode)\" (use one of \(known))")
        }
        try perform { try service.withRegistry { registry, _ in try registry.setMode(mode, of: request.subject) } }
        return AdminDocument.encode(SchemaModeSetting(subject: request.subject, mode: mode.rawValue))
    }

    /// The definition a register or check request describes; a missing or
    /// contradictory field is an INVALID_REQUEST naming it.
    static func definition(of request: SchemaRegistration) throws(AdminFailure) -> SchemaDefinition {
        guard let format = SchemaFormat(name: request.format) else {
            throw AdminFailure(.invalidRequest, "format: expected \"protobuf\" or \"json\", found \"\(request.format)\"")
        }
        switch format {
        case .json:
            guard let text = request.schema else {
                throw AdminFailure(.invalidRequest, "schema: required for format json (the JSON Schema document as text)")
            }
            guard request.descriptorSetBase64 == nil, request.message == nil else {
                throw AdminFailure(.invalidRequest, "descriptor_set_base64 and message are for format protobuf; format json takes schema")
            }
            return .json(text)
        case .protobuf:
            guard let encoded = request.descriptorSetBase64 else {
                throw AdminFailure(.invalidRequest,
                                   "descriptor_set_base64: required for format protobuf (a FileDescriptorSet from protoc --descriptor_set_out --include_imports, base64)")
            }
            guard let bytes = Data(base64Encoded: encoded) else {
                throw AdminFailure(.invalidRequest, "descriptor_set_base64: not valid base64")
            }
            guard let message = request.message, !message.isEmpty else {
                throw AdminFailure(.invalidRequest, "message: required for format protobuf (the fully qualified message name, e.g. shop.v1.OrderPlaced)")
            }
            guard request.schema == nil else {
                throw AdminFailure(.invalidRequest, "schema is for format json; format protobuf takes descriptor_set_base64 and message")
            }
            return .protobuf([UInt8](bytes), messageName: message)
        }
    }

    static func schemaInfo(of stored: StoredSchema, subject: String?, version: Int?, allowUnknownFields: Bool?) -> SchemaInfo {
        let d = stored.definition
        switch d.format {
        case .json:
            return SchemaInfo(subject: subject, version: version, id: stored.id, format: "json",
                              schema: String(decoding: d.content, as: UTF8.self))
        case .protobuf:
            return SchemaInfo(subject: subject, version: version, id: stored.id, format: "protobuf",
                              descriptorSetBase64: Data(d.content).base64EncodedString(), message: d.messageName,
                              allowUnknownFields: allowUnknownFields)
        }
    }

    static func document(_ v: CompatibilityViolation) -> SchemaViolation {
        SchemaViolation(path: v.path, rule: v.rule, message: v.message, direction: v.direction.rawValue, version: v.version)
    }

    /// Runs a registry call, turning its errors into admin failures: an
    /// incompatible schema into INCOMPATIBLE_SCHEMA with the violations in
    /// the body, unknown subjects and versions into NOT_FOUND, bad schemas
    /// into INVALID_REQUEST, storage failures into INTERNAL.
    @discardableResult
    static func perform<T>(_ body: () throws -> T) throws(AdminFailure) -> T {
        do {
            return try body()
        } catch let failure as AdminFailure {
            throw failure
        } catch let error as SchemaError {
            switch error.code {
            case .incompatible:
                throw AdminFailure(.incompatibleSchema, error.message,
                                   details: AdminDocument.encode(SchemaViolations(violations: error.violations.map(document))))
            case .subjectNotFound, .versionNotFound, .schemaNotFound:
                throw AdminFailure(.notFound, error.message)
            case .invalidSchema, .invalidSubject:
                throw AdminFailure(.invalidRequest, error.message)
            case .storage:
                throw AdminFailure(.internal, error.message)
            }
        } catch {
            throw AdminFailure(.internal, "schema registry: \(error)")
        }
    }
}
