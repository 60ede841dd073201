/// Limits and strictness switches for ``JSONParser``.
public struct JSONParseOptions: Sendable {
    /// The deepest nesting of arrays and objects accepted (the top-level value is depth 1).
    public var maxDepth: Int = 128
    /// The largest input accepted, in bytes.
    public var maxBytes: Int = 16 << 20
    /// Refuse objects that repeat a key (RFC 8259 leaves their meaning open).
    public var rejectDuplicateKeys: Bool = false

    public init() {}
}
