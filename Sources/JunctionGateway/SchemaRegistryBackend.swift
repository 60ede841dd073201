import JunctionSchema

/// The registry operations the gateway uses, free of the storage type
/// parameter, so that one ``SchemaRegistryService`` holds a registry over
/// SQLite (with a data directory) or over memory (without one).
protocol SchemaRegistryBackend: AnyObject {
    func registerSchema(subject: String, schema: SchemaDefinition) throws(SchemaError) -> (version: SubjectVersion, created: Bool)
    func checkSchema(subject: String, schema: SchemaDefinition) throws(SchemaError) -> (mode: CompatibilityMode, violations: [CompatibilityViolation])
    func subjects() throws(SchemaError) -> [String]
    func versions(of subject: String) throws(SchemaError) -> [SubjectVersion]
    func schema(subject: String, version: Int?) throws(SchemaError) -> (version: SubjectVersion, schema: StoredSchema)
    func schema(id: Int) throws(SchemaError) -> StoredSchema
    func mode(of subject: String) throws(SchemaError) -> CompatibilityMode
    func setMode(_ mode: CompatibilityMode, of subject: String) throws(SchemaError)
    func compiledSchema(id: Int) throws(SchemaError) -> CompiledSchema
}

extension SchemaRegistry: SchemaRegistryBackend {
    func registerSchema(subject: String, schema: SchemaDefinition) throws(SchemaError) -> (version: SubjectVersion, created: Bool) {
        let registration = try register(subject: subject, schema: schema)
        return (registration.version, registration.created)
    }

    func checkSchema(subject: String, schema: SchemaDefinition) throws(SchemaError) -> (mode: CompatibilityMode, violations: [CompatibilityViolation]) {
        let result = try check(subject: subject, schema: schema)
        return (result.mode, result.violations)
    }
}
