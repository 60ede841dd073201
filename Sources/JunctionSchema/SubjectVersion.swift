/// One immutable version of a subject.
public struct SubjectVersion: Sendable, Equatable, Hashable, Codable {
    /// The subject, e.g. `orders.OrderPlaced`.
    public var subject: String
    /// Version number within the subject (1, 2, ...).
    public var version: Int
    /// Global schema id.
    public var schemaID: Int

    /// Creates a record.
    public init(subject: String, version: Int, schemaID: Int) {
        self.subject = subject
        self.version = version
        self.schemaID = schemaID
    }
}
