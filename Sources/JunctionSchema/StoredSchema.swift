/// A schema stored once and shared by every subject version with the same canonical form.
public struct StoredSchema: Sendable, Equatable, Hashable, Codable {
    /// Global schema id (1, 2, ...).
    public var id: Int
    /// The definition as first registered.
    public var definition: SchemaDefinition
    /// Its canonical form (the identity used for de-duplication).
    public var canonicalForm: String

    /// Creates a record.
    public init(id: Int, definition: SchemaDefinition, canonicalForm: String) {
        self.id = id
        self.definition = definition
        self.canonicalForm = canonicalForm
    }
}
