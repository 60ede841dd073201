/// A JSON Schema document that cannot be compiled: unknown types, malformed keywords, unresolvable `$ref`,
/// unsupported regular-expression syntax. `path` is the JSON pointer of the offending keyword in the schema.
public struct JSONSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// JSON pointer into the schema document, e.g. `/properties/amount/minimum`.
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// "schema <path>: <message>".
    public var description: String { "schema \(path.isEmpty ? "/" : path): \(message)" }
}
