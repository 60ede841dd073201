/// The schema registry's logic: subjects with immutable numbered versions, global schema ids, per-subject
/// compatibility modes, de-duplication by canonical form. Storage is pluggable (``SchemaRegistryStorage``).
/// Not thread-safe by itself: serialize calls (e.g. own it from an actor).
public final class SchemaRegistry<Storage: SchemaRegistryStorage> {
    /// The storage.
    public let storage: Storage
    /// Mode of subjects that have none of their own.
    public let defaultMode: CompatibilityMode
    private var compiled: [Int: CompiledSchema] = [:]

    /// Creates a registry over `storage`.
    public init(storage: Storage, defaultMode: CompatibilityMode = .default) {
        self.storage = storage
        self.defaultMode = defaultMode
    }

    /// The result of ``register(subject:schema:)``.
    public struct Registration: Sendable, Equatable {
        /// The subject version (new or existing).
        public var version: SubjectVersion
        /// False when an identical schema was already the subject's version and that version is returned.
        public var created: Bool
    }

    /// The result of ``check(subject:schema:)``.
    public struct CheckResult: Sendable, Equatable {
        /// The mode checked.
        public var mode: CompatibilityMode
        /// Every violation (empty when compatible).
        public var violations: [CompatibilityViolation]
        /// True when there is no violation.
        public var isCompatible: Bool { violations.isEmpty }
    }

    /// Subject names: 1-255 characters of letters, digits, `.`, `_`, `-`, `:`.
    public static func validateSubject(_ subject: String) throws(SchemaError) {
        guard !subject.isEmpty, subject.utf8.count <= 255,
              subject.utf8.allSatisfy({ JSONSchemaRegex.isWord(UInt32($0)) || $0 == 0x2E || $0 == 0x2D || $0 == 0x3A }) else {
            throw SchemaError(.invalidSubject, "invalid subject \"\(subject)\": use 1-255 letters, digits, '.', '_', '-', ':'")
        }
    }

    private func storageCall<T>(_ body: () throws -> T) throws(SchemaError) -> T {
        do { return try body() } catch let e as SchemaError { throw e } catch {
            throw SchemaError(.storage, "schema storage failed: \(error)")
        }
    }

    /// The compiled form of stored schema `id` (cached).
    public func compiledSchema(id: Int) throws(SchemaError) -> CompiledSchema {
        if let c = compiled[id] { return c }
        guard let stored = try storageCall({ try storage.schema(id: id) }) else {
            throw SchemaError(.schemaNotFound, "no schema with id \(id)")
        }
        let c = try CompiledSchema(stored.definition)
        compiled[id] = c
        return c
    }

    /// Registers `schema` under `subject`. An identical schema (same canonical form) already registered for the
    /// subject returns that version (`created == false`). Otherwise the subject's mode is checked against its
    /// previous versions; a refusal throws ``SchemaError/Code/incompatible`` listing every violation.
    public func register(subject: String, schema: SchemaDefinition) throws(SchemaError) -> Registration {
        try Self.validateSubject(subject)
        let candidate = try CompiledSchema(schema)
        let registration = try storageCall { () throws -> Registration in
            try storage.transaction { () throws -> Registration in
                let versions = try storage.versions(of: subject)
                if let existingID = try storage.schemaID(canonicalForm: candidate.canonicalForm),
                   let existing = versions.last(where: { $0.schemaID == existingID }) {
                    return Registration(version: existing, created: false)
                }
                let mode = try storage.compatibilityMode(of: subject) ?? defaultMode
                let violations = try violations(of: candidate, against: versions, mode: mode)
                if !violations.isEmpty {
                    throw SchemaError(.incompatible,
                                      "schema for subject \(subject) is incompatible under \(mode) (\(violations.count) violation\(violations.count == 1 ? "" : "s"))",
                                      violations: violations)
                }
                let id = try storage.schemaID(canonicalForm: candidate.canonicalForm)
                    ?? storage.insertSchema(definition: schema, canonicalForm: candidate.canonicalForm)
                let version = SubjectVersion(subject: subject, version: (versions.last?.version ?? 0) + 1, schemaID: id)
                try storage.insertVersion(version)
                return Registration(version: version, created: true)
            }
        }
        // Cache only after the transaction committed: a rolled-back id may be
        // handed out again for another schema.
        if registration.created { compiled[registration.version.schemaID] = compiled[registration.version.schemaID] ?? candidate }
        return registration
    }

    private func violations(of candidate: CompiledSchema, against versions: [SubjectVersion],
                            mode: CompatibilityMode) throws -> [CompatibilityViolation] {
        guard mode != .none, !versions.isEmpty else { return [] }
        let relevant = mode.isTransitive ? versions : [versions.last!]
        var previous: [(version: Int, schema: CompiledSchema)] = []
        for v in relevant { previous.append((v.version, try compiledSchema(id: v.schemaID))) }
        return candidate.compatibilityViolations(against: previous, mode: mode)
    }

    /// Checks `schema` against `subject` without registering it. A subject without versions is compatible.
    public func check(subject: String, schema: SchemaDefinition) throws(SchemaError) -> CheckResult {
        try Self.validateSubject(subject)
        let candidate = try CompiledSchema(schema)
        return try storageCall { () throws -> CheckResult in
            let mode = try storage.compatibilityMode(of: subject) ?? defaultMode
            return CheckResult(mode: mode, violations: try violations(of: candidate, against: storage.versions(of: subject), mode: mode))
        }
    }

    /// Subjects, sorted.
    public func subjects() throws(SchemaError) -> [String] { try storageCall { try storage.subjects() } }

    /// The versions of `subject`, ascending. Throws ``SchemaError/Code/subjectNotFound`` for an unknown subject.
    public func versions(of subject: String) throws(SchemaError) -> [SubjectVersion] {
        let v = try storageCall { try storage.versions(of: subject) }
        guard !v.isEmpty else { throw SchemaError(.subjectNotFound, "subject \(subject) does not exist") }
        return v
    }

    /// Version `version` of `subject` (nil: the latest) with its stored schema.
    public func schema(subject: String, version: Int? = nil) throws(SchemaError) -> (version: SubjectVersion, schema: StoredSchema) {
        let all = try versions(of: subject)
        let chosen: SubjectVersion
        if let version {
            guard let v = all.first(where: { $0.version == version }) else {
                throw SchemaError(.versionNotFound, "subject \(subject) has no version \(version) (latest is \(all.last!.version))")
            }
            chosen = v
        } else {
            chosen = all.last!
        }
        guard let stored = try storageCall({ try storage.schema(id: chosen.schemaID) }) else {
            throw SchemaError(.schemaNotFound, "no schema with id \(chosen.schemaID)")
        }
        return (chosen, stored)
    }

    /// The schema with global id `id`.
    public func schema(id: Int) throws(SchemaError) -> StoredSchema {
        guard let s = try storageCall({ try storage.schema(id: id) }) else {
            throw SchemaError(.schemaNotFound, "no schema with id \(id)")
        }
        return s
    }

    /// The subject's effective mode (its own, or the registry default).
    public func mode(of subject: String) throws(SchemaError) -> CompatibilityMode {
        try storageCall { try storage.compatibilityMode(of: subject) } ?? defaultMode
    }

    /// Sets the subject's mode (the subject need not have versions yet).
    public func setMode(_ mode: CompatibilityMode, of subject: String) throws(SchemaError) {
        try Self.validateSubject(subject)
        try storageCall { try storage.setCompatibilityMode(mode, of: subject) }
    }

    /// Removes the subject's own mode so that it follows ``defaultMode`` again.
    public func resetMode(of subject: String) throws(SchemaError) {
        try Self.validateSubject(subject)
        try storageCall { try storage.setCompatibilityMode(nil, of: subject) }
    }

    /// A validator for `subject` at `version` (nil: latest).
    public func validator(subject: String, version: Int? = nil, protobuf: ProtoValidationOptions = .init(),
                          json: JSONSchemaOptions = .init()) throws(SchemaError) -> SchemaValidator {
        let (_, stored) = try schema(subject: subject, version: version)
        return try compiledSchema(id: stored.id).makeValidator(protobuf: protobuf, json: json)
    }
}
