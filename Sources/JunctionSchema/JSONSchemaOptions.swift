/// Options of a compiled ``JSONSchema``.
public struct JSONSchemaOptions: Sendable, Equatable, Hashable {
    /// Prefix of instance paths in violations (default "detail").
    public var rootPath: String = "detail"
    /// Assert `format` (default true). When false, formats are annotations only.
    public var assertFormats: Bool = true
    /// Maximum depth of nested schema evaluation (guards `$ref` recursion on deep instances), default 256.
    public var maxEvaluationDepth: Int = 256

    /// The defaults.
    public init() {}

    /// Creates options.
    public init(rootPath: String = "detail", assertFormats: Bool = true, maxEvaluationDepth: Int = 256) {
        self.rootPath = rootPath
        self.assertFormats = assertFormats
        self.maxEvaluationDepth = maxEvaluationDepth
    }
}
