/// Where the registry keeps its state. The integrator implements it over SQLite; ``InMemorySchemaRegistryStorage``
/// is the reference implementation. Implementations must make ``transaction(_:)`` atomic (all or nothing) and
/// isolated from concurrent transactions; the registry performs every read-check-write inside one transaction.
public protocol SchemaRegistryStorage: AnyObject {
    /// Runs `body` atomically; a thrown error rolls back everything `body` wrote.
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// All subject names with at least one version, sorted.
    func subjects() throws -> [String]
    /// The versions of `subject`, ascending; empty when the subject does not exist.
    func versions(of subject: String) throws -> [SubjectVersion]
    /// The schema with `id`.
    func schema(id: Int) throws -> StoredSchema?
    /// The id of the schema whose canonical form is `canonicalForm`, if stored.
    func schemaID(canonicalForm: String) throws -> Int?
    /// Stores a new schema and returns its id (the next unused id).
    func insertSchema(definition: SchemaDefinition, canonicalForm: String) throws -> Int
    /// Appends `version` (already numbered by the registry) to its subject.
    func insertVersion(_ version: SubjectVersion) throws
    /// The subject's own compatibility mode, if one was set.
    func compatibilityMode(of subject: String) throws -> CompatibilityMode?
    /// Sets (or, with nil, clears) the subject's compatibility mode.
    func setCompatibilityMode(_ mode: CompatibilityMode?, of subject: String) throws
}
