/// Limits and policies of a ``ProtoMessageValidator``.
public struct ProtoValidationOptions: Sendable, Equatable, Hashable {
    /// Accept fields whose numbers the schema does not declare (default true, as protobuf parsers do).
    /// When false, an undeclared field number is a violation (`unknown-field`).
    public var allowUnknownFields: Bool = true
    /// Maximum nesting depth of messages and groups below the root (default 32).
    public var maxDepth: Int = 32
    /// Maximum size of one encoded message in bytes (default 1 MiB).
    public var maxBytes: Int = 1 << 20
    /// Prefix of every field path in errors and visits (default "detail").
    public var rootPath: String = "detail"

    /// The defaults.
    public init() {}

    /// Creates options with the given values.
    public init(allowUnknownFields: Bool = true, maxDepth: Int = 32, maxBytes: Int = 1 << 20, rootPath: String = "detail") {
        self.allowUnknownFields = allowUnknownFields
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
        self.rootPath = rootPath
    }
}
