/// ``SchemaRegistryStorage`` in memory: for tests, tools and the offline CLI. Not thread-safe; callers serialize
/// access (the registry is used from one task or behind an actor).
public final class InMemorySchemaRegistryStorage: SchemaRegistryStorage {
    private struct State {
        var schemas: [StoredSchema] = []
        var byCanonical: [String: Int] = [:]
        var versions: [String: [SubjectVersion]] = [:]
        var modes: [String: CompatibilityMode] = [:]
    }

    private var state = State()

    /// An empty store.
    public init() {}

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let saved = state
        do { return try body() } catch {
            state = saved
            throw error
        }
    }

    public func subjects() throws -> [String] { state.versions.keys.filter { !(state.versions[$0]!.isEmpty) }.sorted() }

    public func versions(of subject: String) throws -> [SubjectVersion] { state.versions[subject] ?? [] }

    public func schema(id: Int) throws -> StoredSchema? {
        id >= 1 && id <= state.schemas.count ? state.schemas[id - 1] : nil
    }

    public func schemaID(canonicalForm: String) throws -> Int? { state.byCanonical[canonicalForm] }

    public func insertSchema(definition: SchemaDefinition, canonicalForm: String) throws -> Int {
        let id = state.schemas.count + 1
        state.schemas.append(StoredSchema(id: id, definition: definition, canonicalForm: canonicalForm))
        state.byCanonical[canonicalForm] = id
        return id
    }

    public func insertVersion(_ version: SubjectVersion) throws {
        state.versions[version.subject, default: []].append(version)
    }

    public func compatibilityMode(of subject: String) throws -> CompatibilityMode? { state.modes[subject] }

    public func setCompatibilityMode(_ mode: CompatibilityMode?, of subject: String) throws {
        state.modes[subject] = mode
    }
}
